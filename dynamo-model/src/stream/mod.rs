//! Typed change streams: each record of a table's stream as a
//! [`Change<M>`](Change), the item images decoded into the model (or a
//! collection), by one decoder whatever the source. The sources are thin:
//! the Lambda event ([`lambda`], feature `lambda`) and the DynamoDB Streams
//! API (`Table::changes`, feature `streams`) map each record onto a
//! [`StreamRecord`] and decode it.

mod change;
mod checkpoint;
#[cfg(feature = "lambda")]
pub mod lambda;
#[cfg(feature = "streams")]
mod reader;
mod record;
#[cfg(feature = "streams")]
mod shards;

pub use change::{Change, ChangeKind};
pub use checkpoint::Checkpoint;
#[cfg(feature = "streams")]
pub use reader::StartingPosition;
pub use record::StreamRecord;
