//! Module 05, circuit breaker and resilience: one file per exercise. Start
//! with `breaker.rs` (05.1), then `retry.rs` (05.2), then `protect.rs`
//! (05.3), then `payments.rs` (05.4); `cargo xtask list` shows where you are.

pub mod breaker;
pub mod payments;
pub mod protect;
pub mod retry;

// The spec, as this crate's unit tests: `cargo xtask test <id>` runs it.
#[cfg(test)]
mod spec;
