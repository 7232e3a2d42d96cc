//! 04.2, naive: a fixed window, used for both. It is right as a fixed
//! window; as a "sliding" one it has the fixed window's flaw.

use crate::window::WindowLimiter;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: naive
/// A count per key and window, windows counted from the limiter's start. At
/// the edge between two windows a client gets its limit at the end of one and
/// its limit again at the start of the next: twice the limit in a moment.
pub struct FixedWindow {
    limit: u32,
    window: Duration,
    start: Instant,
    counts: Mutex<HashMap<String, (u64, u32)>>,
}

impl WindowLimiter for FixedWindow {
    fn new(limit: u32, window: Duration) -> Self {
        FixedWindow {
            limit,
            window,
            start: Instant::now(),
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn check(&self, key: &str) -> bool {
        let index = (self.start.elapsed().as_nanos() / self.window.as_nanos()) as u64;
        let mut counts = self.counts.lock().unwrap();
        let (window, count) = counts.entry(key.to_string()).or_insert((index, 0));
        if *window != index {
            *window = index;
            *count = 0;
        }
        *count += 1;
        *count <= self.limit
    }
}
// ANCHOR_END: naive
