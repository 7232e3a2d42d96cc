//! Module 02, idempotency end to end: one file per exercise. Start with
//! `store.rs` (02.1), then `layer.rs` (02.2), then `redis_store.rs` (02.3),
//! then `payments.rs` (02.4) and `documents.rs` (02.5);
//! `cargo xtask list` shows where you are.

pub mod documents;
pub mod layer;
pub mod payments;
pub mod redis_store;
pub mod store;

// The spec, as this crate's unit tests: `cargo xtask test <id>` runs it.
#[cfg(test)]
mod spec;
