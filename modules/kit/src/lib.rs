//! The course's shared kit: what every module, exercise, solution, demo and the
//! runner use, so that none of them writes it twice.
//!
//! - [`services`] finds PostgreSQL and Redis and gives each test its own database
//!   and its own key prefix.
//! - [`spec`] wraps an exercise's spec so a failure names the exercise and the file.
//! - [`manifest`] reads `course.toml`, the one list of exercises (its own
//!   crate, `racecourse-manifest`, so that the runner can use it alone).
//! - [`problem`] turns errors into `application/problem+json` (RFC 9457).
//! - [`load`] fires concurrent HTTP requests at a demo and measures them.

pub mod load;
pub mod problem;
pub mod services;
pub mod spec;

pub use racecourse_manifest as manifest;
