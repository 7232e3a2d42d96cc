//! 04.2: sliding windows that look right.

use crate::window::WindowLimiter;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: floor_weighted
/// The weighted counter (the previous window's count, weighted by how much
/// of it still overlaps the last `window`, plus the current one's), with the
/// weighted share rounded down, as integer division does. Just after the
/// edge, 5 × 0.99 = 4.95 becomes 4, and a sixth request passes within 20 ms.
pub struct FloorWeighted {
    limit: u32,
    window: Duration,
    start: Instant,
    counts: Mutex<HashMap<String, (u64, u32, u32)>>,
}

impl WindowLimiter for FloorWeighted {
    fn new(limit: u32, window: Duration) -> Self {
        FloorWeighted {
            limit,
            window,
            start: Instant::now(),
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn check(&self, key: &str) -> bool {
        let w = self.window.as_nanos();
        let elapsed = self.start.elapsed().as_nanos();
        let index = (elapsed / w) as u64;
        let into = elapsed % w;
        let mut counts = self.counts.lock().unwrap();
        // (window index, previous window's count, this window's count)
        let (i, previous, current) = counts.entry(key.to_string()).or_insert((index, 0, 0));
        if *i != index {
            *previous = if *i + 1 == index { *current } else { 0 };
            *current = 0;
            *i = index;
        }
        let share = (u128::from(*previous) * (w - into) / w) as u32;
        if share + *current < self.limit {
            *current += 1;
            true
        } else {
            false
        }
    }
}
// ANCHOR_END: floor_weighted

// ANCHOR: counts_refusals
/// A log of timestamps, with every request logged before it is judged,
/// refused ones too. A client that keeps knocking while refused keeps its
/// own log full: it never gets in again, however slowly it retries.
pub struct CountsRefusals {
    limit: u32,
    window: Duration,
    logs: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl WindowLimiter for CountsRefusals {
    fn new(limit: u32, window: Duration) -> Self {
        CountsRefusals {
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
        log.push_back(now);
        log.len() <= self.limit as usize
    }
}
// ANCHOR_END: counts_refusals
