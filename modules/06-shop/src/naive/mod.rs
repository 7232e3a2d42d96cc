//! The naive implementations: each does what a first version usually does, and
//! each has the failure its exercise is about. The demo runs them to show it;
//! `tests/gallery.rs` proves the spec catches every one of them, with the
//! wrong fixes of `crate::wrong`.

pub mod checkout;
pub mod intake;
pub mod outbox;
pub mod queue;
pub mod saga;
pub mod wallet;
