//! Fixes that almost work, one file per exercise file: what students really
//! write after seeing the naive version fail. Each has a doc comment saying
//! which interleaving breaks it, and `// ANCHOR:` markers so the book shows
//! the real code. [`crate::gallery`] proves the spec catches every one.

pub mod checkout;
pub mod live;
pub mod queue;
pub mod sweeper;
pub mod worker;
