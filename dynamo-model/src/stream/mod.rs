//! Typed change streams: each record of a table's stream as a
//! [`Change<M>`](Change), the item images decoded into the model (or a
//! collection), by one decoder whatever the source. The sources are thin:
//! the Lambda event ([`lambda`], feature `lambda`) maps each record onto a
//! [`StreamRecord`] and decodes it.

mod change;
#[cfg(feature = "lambda")]
pub mod lambda;
mod record;

pub use change::{Change, ChangeKind};
pub use record::StreamRecord;
