//! Exercise 04.2: two window limiters, each allowing `limit` requests per key
//! per `window`.
//!
//! - [`WindowLimiter`] as a **fixed window**: time is cut into windows of
//!   `window`, the first starting when the limiter is made (`new`), and each
//!   key's count starts from zero in each. Cheap, and across the edge between
//!   two windows it lets twice the limit through in a moment.
//! - as a **sliding window**: at any instant the key's allowed requests in the
//!   last `window` (the half-open interval `(now - window, now]`) are at most
//!   `limit`; a log of timestamps holds it exactly, a weighted counter (the
//!   previous window's count, weighted by how much of it still overlaps, plus
//!   the current one's, rounded up) nearly.
//!
//! The clock is tokio's, which the spec pauses.

use std::time::Duration;

pub trait WindowLimiter: Send + Sync + 'static {
    /// A limiter allowing `limit` requests per key per `window`.
    fn new(limit: u32, window: Duration) -> Self
    where
        Self: Sized;

    /// Whether `key` may make one more request now; an allowed request counts,
    /// a refused one does not.
    fn check(&self, key: &str) -> bool;
}
