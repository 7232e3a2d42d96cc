//! Module 06, shop flows end to end: one file per exercise. Start with
//! `checkout.rs` (06.1), then `wallet.rs` (06.2), `queue.rs` (06.3), `saga.rs`
//! (06.4), `intake.rs` (06.5) and `outbox.rs` (06.6); `cargo xtask list` shows where you are.

pub mod checkout;
pub mod intake;
pub mod outbox;
pub mod queue;
pub mod saga;
pub mod wallet;

// The spec, as this crate's unit tests: `cargo xtask test <id>` runs it.
#[cfg(test)]
mod spec;
