//! The naive implementations: each does what a first version usually does, and
//! each has the race its exercise is about. The demo runs them to show the race;
//! `tests/gallery.rs` proves the spec catches every one of them, with the
//! wrong fixes of `crate::wrong`.

pub mod documents;
pub mod layer;
pub mod payments;
pub mod redis_store;
pub mod store;
