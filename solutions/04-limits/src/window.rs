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
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A count per key for the current window; the counts of past windows are
/// dropped when the first request of a new one comes.
pub struct FixedWindow {
    limit: u32,
    window: Duration,
    start: Instant,
    counts: Mutex<(u64, HashMap<String, u32>)>,
}

impl WindowLimiter for FixedWindow {
    fn new(limit: u32, window: Duration) -> Self {
        FixedWindow {
            limit,
            window: window.max(Duration::from_nanos(1)),
            start: Instant::now(),
            counts: Mutex::new((0, HashMap::new())),
        }
    }

    fn check(&self, key: &str) -> bool {
        let index = (self.start.elapsed().as_nanos() / self.window.as_nanos()) as u64;
        let mut counts = self.counts.lock().unwrap();
        let (current, per_key) = &mut *counts;
        if *current != index {
            *current = index;
            per_key.clear();
        }
        let count = per_key.entry(key.to_string()).or_insert(0);
        if *count < self.limit {
            *count += 1;
            true
        } else {
            false
        }
    }
}

// ANCHOR: sliding
/// A log per key of the instants its allowed requests came, oldest first:
/// those a window old or more fall off the front; a request is allowed if
/// fewer than `limit` remain.
pub struct SlidingWindow {
    limit: u32,
    window: Duration,
    logs: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl WindowLimiter for SlidingWindow {
    fn new(limit: u32, window: Duration) -> Self {
        SlidingWindow {
            limit,
            window,
            logs: Mutex::new(HashMap::new()),
        }
    }

    fn check(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut logs = self.logs.lock().unwrap();
        let log = logs.entry(key.to_string()).or_default();
        while log.front().is_some_and(|t| now - *t >= self.window) {
            log.pop_front();
        }
        if log.len() < self.limit as usize {
            log.push_back(now);
            true
        } else {
            false
        }
    }
}
// ANCHOR_END: sliding
