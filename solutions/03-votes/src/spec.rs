//! The pristine spec of module 03, run against this crate as its unit tests
//! (`cargo test -p racecourse-03-exercises --lib`). The spec itself lives in
//! `modules/03-votes/src/spec/`; grading runs that copy, not this file.
//!
//! Unit tests rather than a `tests/` binary: after an edit, one compiler run
//! builds the crate and its tests together (ARCHITECTURE.md, "Notes on speed").

// Module 03, the kit and their dependencies come from one dynamic library, so
// that the binary relinked after each edit is small.
#[cfg(unix)]
extern crate racecourse_03_dylib;

racecourse_03::spec!(crate);
