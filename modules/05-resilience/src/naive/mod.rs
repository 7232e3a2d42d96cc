//! The naive implementations: each does what a first version usually does.
//! The demo runs them to show the failure; `tests/gallery.rs` proves the spec
//! catches every one of them, with the wrong fixes of `crate::wrong`.

pub mod breaker;
pub mod payments;
pub mod protect;
pub mod retry;
