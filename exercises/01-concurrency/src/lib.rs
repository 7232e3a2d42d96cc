//! Module 01, concurrency control: one file per exercise. Start with
//! `counter.rs` (01.1); `cargo xtask list` shows where you are.

pub mod conditional;
pub mod counter;
pub mod etag;
pub mod fencing;
pub mod lease;
pub mod locking;
pub mod ratings;
pub mod versioned;

// The spec, as this crate's unit tests: `cargo xtask test <id>` runs it.
#[cfg(test)]
mod spec;
