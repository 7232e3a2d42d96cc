//! The pristine spec of module 06, run against this crate as its unit tests
//! (`cargo test -p racecourse-06-exercises --lib`). The spec itself lives in
//! `modules/06-shop/src/spec/`; grading runs that copy, not this file.
//!
//! Unit tests rather than a `tests/` binary: after an edit, one compiler run
//! builds the crate and its tests together (ARCHITECTURE.md, "Notes on speed").

// Module 06, the kit and their dependencies come from one dynamic library, so
// that the binary relinked after each edit is small.
#[cfg(unix)]
extern crate racecourse_06_dylib;

// 06.1's checkout pays through your resilient payment client of 05.4.
racecourse_06::spec!(crate, racecourse_05_exercises::payments::ResilientClient);
