//! 04.1, naive: whole tokens since the last check, and the check's time
//! stamped as the new start.

use crate::token_bucket::{Decision, Quota, RateLimiter};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::time::Instant;

// ANCHOR: naive
/// Adds a token per whole interval since the key's last check, then stamps
/// now as its last check: the part of an interval already earned is thrown
/// away, so a client that checks every 60 ms of a 100 ms interval never gets
/// a token back. And every key ever seen stays in the map.
pub struct RefillOnCheck {
    quota: Quota,
    buckets: Mutex<HashMap<String, (u32, Instant)>>,
}

impl RateLimiter for RefillOnCheck {
    fn new(quota: Quota) -> Self {
        RefillOnCheck {
            quota,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn check(&self, key: &str) -> Decision {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap();
        let (tokens, last) = buckets
            .entry(key.to_string())
            .or_insert((self.quota.burst, now));
        let earned = ((now - *last).as_nanos() / self.quota.interval.as_nanos()) as u32;
        *tokens = (*tokens + earned).min(self.quota.burst);
        *last = now;
        if *tokens == 0 {
            return Decision::Denied {
                retry_after: self.quota.interval,
            };
        }
        *tokens -= 1;
        Decision::Allowed { remaining: *tokens }
    }
    // ANCHOR_END: naive

    fn tracked_keys(&self) -> usize {
        self.buckets.lock().unwrap().len()
    }
}
