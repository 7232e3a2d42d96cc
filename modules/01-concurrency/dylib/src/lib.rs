//! Module 01 and everything it depends on, in one dynamic library.
//!
//! A spec test binary that names this crate (`extern crate
//! racecourse_01_dylib;` in `tests/spec.rs`) takes the module crate, the kit,
//! tokio, sqlx, redis and axum from here instead of linking them in: the binary
//! is 3 MB rather than 20, and its link after a student's edit takes a fraction
//! of the time (ARCHITECTURE.md, "Notes on speed"). Nothing else changes: the
//! demo and the module's own tests link statically, as before.

#[cfg(unix)]
pub use racecourse_01::*;
