//! The spec of module 04: one async function per property, taking a `fn` that
//! makes the implementation as a trait object ([`erased`]), and per exercise a
//! `checks` list of them. [`crate::spec!`] runs the lists against the exercise
//! crate and the solution crate; `tests/gallery.rs` runs them against the naive
//! code and the wrong fixes, which they must catch.
//!
//! Time-driven properties run on tokio's paused clock and end in exact
//! decisions; races run many tasks at once, and the gaps between two Redis
//! commands or two database steps are held open on every run (the pause proxy,
//! row locks), never left to luck.

pub mod catalog;
pub mod erased;
pub mod layer;
pub mod lru;
pub mod outage;
pub mod redis_limiter;
pub mod sf;
pub mod token_bucket;
pub mod window;

pub(crate) use racecourse_kit::spec::together;
