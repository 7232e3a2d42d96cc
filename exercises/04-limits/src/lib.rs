//! Module 04, rate limiting and caching: one file per exercise. Start with
//! `token_bucket.rs` (04.1), then `window.rs` (04.2), `redis_limiter.rs`
//! (04.3), `layer.rs` (04.4), `lru.rs` (04.5) and `catalog.rs` (04.6);
//! `cargo xtask list` shows where you are.

pub mod catalog;
pub mod layer;
pub mod lru;
pub mod redis_limiter;
pub mod token_bucket;
pub mod window;

// The spec, as this crate's unit tests: `cargo xtask test <id>` runs it.
#[cfg(test)]
mod spec;
