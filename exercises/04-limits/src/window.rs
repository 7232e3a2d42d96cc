//! # 04.2 Fixed window and sliding window (in memory)
//!
//! **The flaw.** A fixed window counts per calendar slot: 5 requests at 0.99 s
//! and 5 more at 1.01 s are each within their own second's limit, and ten
//! went through in 20 ms. A sliding window looks at the last second from now,
//! whatever the slots.
//!
//! **Your task.** Write both: `FixedWindow` (windows start when the limiter is
//! made; count per key per window) and `SlidingWindow` (a log of each key's
//! allowed requests, or a weighted counter that rounds the previous window's
//! share up). A refused request counts in neither.
//!
//! **The spec checks**, on tokio's paused clock, the fixed window's counts and
//! its double burst across the edge, and that the same traffic gets only the
//! limit through the sliding window; and that a client knocking on after its
//! limit gets in again once its requests are a window old.
//!
//! Run `cargo xtask test 04.2`; stuck? `cargo xtask hint 04.2`.

use racecourse_04::WindowLimiter;
use std::time::Duration;

/// Choose what it holds: when the first window started, and a count per key
/// for the current window.
pub struct FixedWindow {
    limit: u32,
    window: Duration,
}

impl WindowLimiter for FixedWindow {
    fn new(limit: u32, window: Duration) -> Self {
        FixedWindow { limit, window }
    }

    /// Counts per key per window of `self.window`, at most `self.limit`.
    fn check(&self, key: &str) -> bool {
        let (_window, _limit) = (self.window, self.limit);
        todo!("04.2 exercises/04-limits/src/window.rs: FixedWindow::check({key})")
    }
}

/// Choose what it holds: per key, a log of the instants of its allowed
/// requests (or two counts and the current window, for a weighted counter).
pub struct SlidingWindow {
    limit: u32,
    window: Duration,
}

impl WindowLimiter for SlidingWindow {
    fn new(limit: u32, window: Duration) -> Self {
        SlidingWindow { limit, window }
    }

    /// At most `self.limit` allowed in the last `self.window`, refusals not
    /// counted.
    fn check(&self, key: &str) -> bool {
        let (_window, _limit) = (self.window, self.limit);
        todo!("04.2 exercises/04-limits/src/window.rs: SlidingWindow::check({key})")
    }
}
