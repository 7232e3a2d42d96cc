//! The pristine spec of module 01, run against this crate. The spec itself lives
//! in `modules/01-concurrency/src/spec/`; grading runs that copy, not this file.
racecourse_01::spec!(racecourse_01_exercises);
