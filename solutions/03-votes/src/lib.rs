//! Module 03, double voting and one-time actions: one file per exercise.
//! Start with `poll.rs` (03.1), then `ballot.rs` (03.2), `likes.rs` (03.3),
//! `reward.rs` (03.4) and `coupon.rs` (03.5); `cargo xtask list` shows where
//! you are.

pub mod ballot;
pub mod coupon;
pub mod likes;
pub mod poll;
pub mod reward;

// The spec, as this crate's unit tests: `cargo xtask test <id>` runs it.
#[cfg(test)]
mod spec;
