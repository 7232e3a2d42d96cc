//! The naive implementations: each does what a first version usually does,
//! and each has the flaw its exercise is about. The demo runs them to show the
//! flaw; `tests/gallery.rs` proves the spec catches every one of them, with the
//! wrong fixes of `crate::wrong`.

pub mod catalog;
pub mod layer;
pub mod lru;
pub mod redis_limiter;
pub mod token_bucket;
pub mod window;
