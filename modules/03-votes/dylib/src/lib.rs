//! Module 03 and everything it depends on, in one dynamic library.
//!
//! The spec's test binary (the exercise or solution crate's unit tests, with
//! `extern crate racecourse_03_dylib;` in `src/spec.rs`) takes the module
//! crate, the kit, tokio, sqlx, redis and axum from here instead of linking
//! them in: a small binary to relink after a student's edit (ARCHITECTURE.md,
//! "Notes on speed"). The demo and the module's own tests link statically.

#[cfg(unix)]
pub use racecourse_03::*;
