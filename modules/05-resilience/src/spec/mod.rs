//! The spec of module 05: one async function per property, taking a `fn` that
//! makes the implementation as a trait object ([`erased`]), and per exercise a
//! `checks` list of them. [`crate::spec!`] runs the lists against the exercise
//! crate and the solution crate; `tests/gallery.rs` runs them against the naive
//! code and the wrong fixes, which they must catch.
//!
//! Time is tokio's paused clock throughout: a breaker's minute in the open
//! state, a retry's backoff and a handler's timeout all pass in microseconds,
//! exactly, so the spec checks exact waits and no check sleeps for real.

pub mod breaker;
pub mod erased;
pub mod payments;
pub mod protect;
pub mod reference;
pub mod retry;

pub(crate) use racecourse_kit::spec::together;
