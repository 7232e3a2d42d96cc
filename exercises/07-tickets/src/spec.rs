//! The pristine spec of module 07, run against this crate as its unit tests
//! (`cargo test -p racecourse-07-exercises --lib`). The spec itself lives in
//! `modules/07-tickets/src/spec/`; grading runs that copy, not this file.

// Module 07, the kit and their dependencies come from one dynamic library, so
// that the binary relinked after each edit is small.
#[cfg(unix)]
extern crate racecourse_07_dylib;

racecourse_07::spec!(crate);
