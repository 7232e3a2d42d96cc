//! Module 07, ticket booking: one file per exercise. Start with `queue.rs`
//! (07.1), then `worker.rs` (07.2), `sweeper.rs` (07.3), `checkout.rs` (07.4)
//! and `live.rs` (07.5); `cargo xtask list` shows where you are.

pub mod checkout;
pub mod live;
pub mod queue;
pub mod sweeper;
pub mod worker;

// The spec, as this crate's unit tests: `cargo xtask test <id>` runs it.
#[cfg(test)]
mod spec;
