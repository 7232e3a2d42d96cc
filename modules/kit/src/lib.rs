//! The course's shared kit: what every module, exercise, solution, demo and the
//! runner use, so that none of them writes it twice.
//!
//! - [`services`] finds PostgreSQL and Redis and gives each test its own database
//!   and its own key prefix.
//! - [`spec`] runs an exercise's checks under a watchdog, so a failure (or a
//!   wait that never ends) names the exercise and the file.
//! - [`gallery`] proves that each spec catches the naive code and the wrong
//!   fixes that almost work, on every run.
//! - [`pause`] pauses a Redis client between two of its commands, so a spec
//!   catches a check-then-act race every time rather than by luck.
//! - [`manifest`] reads `course.toml`, the one list of exercises (its own
//!   crate, `racecourse-manifest`, so that the runner can use it alone).
//! - [`i18n`] gives every message a student sees in their language (its own
//!   crate, `racecourse-i18n`, which the runner uses too).
//! - [`problem`] turns errors into `application/problem+json` (RFC 9457).
//! - [`load`] fires concurrent HTTP requests at a demo and measures them;
//!   [`ask`] sends one through its router in process, for the demos' tests.

pub mod ask;
pub mod gallery;
pub mod load;
pub mod metrics;
pub mod pause;
pub mod problem;
pub mod services;
pub mod spec;

pub use racecourse_i18n as i18n;
pub use racecourse_manifest as manifest;
