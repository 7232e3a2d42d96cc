//! The course's shared kit: what every module, exercise, solution, demo and the
//! runner use, so that none of them writes it twice.
//!
//! - [`services`] finds PostgreSQL and Redis and gives each test its own database
//!   and its own key prefix.
//! - [`spec`] wraps an exercise's spec so a failure names the exercise and the file.
//! - [`manifest`] reads `course.toml`, the one list of exercises.
//! - [`problem`] turns errors into `application/problem+json` (RFC 9457).
//! - [`load`] fires concurrent HTTP requests at a demo and measures them.

pub mod load;
pub mod manifest;
pub mod problem;
pub mod services;
pub mod spec;

use std::path::{Path, PathBuf};

/// The repository's root, found from this crate's place in it (`modules/kit`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("modules/kit sits two levels below the repository root")
        .to_path_buf()
}
