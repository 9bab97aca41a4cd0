//! Reads of many items: Query (the table, a GSI, an LSI) and Scan (also in
//! parallel segments), as one page with a cursor, a stream that fetches
//! pages on demand, or all items at once.

pub(crate) mod cursor;
pub(crate) mod index;
#[macro_use]
pub(crate) mod options;
pub(crate) mod page;
pub(crate) mod query;
pub(crate) mod scan;
pub(crate) mod source;
