//! The spec of module 02: one async function per property, taking a `fn` that
//! makes the implementation as a trait object ([`erased`]), and per exercise a
//! `checks` list of them. [`crate::spec!`] runs the lists against the exercise
//! crate and the solution crate; `tests/gallery.rs` runs them against the naive
//! code and the wrong fixes, which they must catch.
//!
//! Each property is checked under real concurrency (many tasks at once, started
//! together) and ends in an exact count. Failures read like a teacher's remark.

pub mod documents;
pub mod erased;
pub mod layer;
pub mod payments;
pub mod redis_store;
pub mod store;

pub(crate) use racecourse_kit::spec::together;
