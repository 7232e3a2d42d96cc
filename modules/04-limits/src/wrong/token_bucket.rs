//! 04.1: token buckets that look fixed. They share one bucket ([`Flawed`]):
//! whole tokens, the remainder kept (the naive code's flaw fixed), each with
//! one other step done wrong.

use crate::token_bucket::{Decision, Quota, RateLimiter};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::time::Instant;

const NO_CAP: u8 = 0;
const NEVER_FORGETS: u8 = 1;
const FORGETS_BY_LAST_SEEN: u8 = 2;

// ANCHOR: no_cap
/// Refills without a cap: `tokens += earned`, and no `min(burst)`. A client
/// quiet for an hour comes back with 36,000 tokens and spends them at once.
pub type NoCap = Flawed<NO_CAP>;
// ANCHOR_END: no_cap

// ANCHOR: never_forgets
/// Right decisions, and a map that only grows: every key ever seen, one-off
/// scanners and rotating IPv6 addresses included, stays in memory for ever.
pub type NeverForgets = Flawed<NEVER_FORGETS>;
// ANCHOR_END: never_forgets

// ANCHOR: forgets_by_last_seen
/// Forgets a key not seen for one interval: "idle" judged by when the key was
/// last seen, not by whether its bucket is full again. A client that drained
/// its bucket and waits one interval comes back with a full one.
pub type ForgetsByLastSeen = Flawed<FORGETS_BY_LAST_SEEN>;
// ANCHOR_END: forgets_by_last_seen

/// A token count and the instant the next token started accruing, per key;
/// plus when the key was last seen.
struct Bucket {
    tokens: u64,
    since: Instant,
    seen: Instant,
}

pub struct Flawed<const FLAW: u8> {
    quota: Quota,
    state: Mutex<(HashMap<String, Bucket>, Instant)>,
}

impl<const FLAW: u8> Flawed<FLAW> {
    /// Adds the whole tokens earned since `since`, keeping the remainder.
    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let interval = self.quota.interval;
        let earned = ((now - bucket.since).as_nanos() / interval.as_nanos()) as u64;
        bucket.tokens += earned;
        bucket.since += interval * earned as u32;
        if FLAW != NO_CAP && bucket.tokens >= u64::from(self.quota.burst) {
            bucket.tokens = u64::from(self.quota.burst);
            bucket.since = now;
        }
    }
}

impl<const FLAW: u8> RateLimiter for Flawed<FLAW> {
    fn new(quota: Quota) -> Self {
        Flawed {
            quota,
            state: Mutex::new((HashMap::new(), Instant::now())),
        }
    }

    fn check(&self, key: &str) -> Decision {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap();
        let (buckets, last_sweep) = &mut *state;
        match FLAW {
            NEVER_FORGETS => {}
            FORGETS_BY_LAST_SEEN => buckets.retain(|_, b| now - b.seen < self.quota.interval),
            _ => {
                if now - *last_sweep >= self.quota.full_after() {
                    for bucket in buckets.values_mut() {
                        self.refill(bucket, now);
                    }
                    let burst = u64::from(self.quota.burst);
                    buckets.retain(|_, b| b.tokens < burst);
                    *last_sweep = now;
                }
            }
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: u64::from(self.quota.burst),
            since: now,
            seen: now,
        });
        bucket.seen = now;
        self.refill(bucket, now);
        if bucket.tokens == 0 {
            return Decision::Denied {
                retry_after: bucket.since + self.quota.interval - now,
            };
        }
        bucket.tokens -= 1;
        Decision::Allowed {
            remaining: bucket.tokens.min(u64::from(u32::MAX)) as u32,
        }
    }

    fn tracked_keys(&self) -> usize {
        self.state.lock().unwrap().0.len()
    }
}
