//! 04.1: token buckets that look fixed. They share the right limiter's steps
//! ([`Steps`]: whole tokens, the remainder kept, the naive code's flaw fixed;
//! a cap at the burst; full buckets forgotten, swept once per `full_after`);
//! each overrides one of them: how a bucket refills, or which keys it forgets.

use crate::token_bucket::{Decision, Quota, RateLimiter};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A token count and the instant the next token started accruing, per key;
/// plus when the key was last seen.
struct Bucket {
    tokens: u64,
    since: Instant,
    seen: Instant,
}

impl Bucket {
    /// The whole tokens earned since `since`, which moves past them: the
    /// remainder, time towards the next token, is kept.
    fn collect(&mut self, interval: Duration, now: Instant) -> u64 {
        let earned = ((now - self.since).as_nanos() / interval.as_nanos()) as u64;
        self.since += interval * earned as u32;
        earned
    }

    /// Stops at `burst`: a full bucket earns nothing, so its next token
    /// starts accruing only when one is spent.
    fn cap(&mut self, burst: u32, now: Instant) {
        if self.tokens >= u64::from(burst) {
            self.tokens = u64::from(burst);
            self.since = now;
        }
    }
}

/// Every key's bucket, and when they were last swept.
struct Keys {
    quota: Quota,
    buckets: HashMap<String, Bucket>,
    last_sweep: Instant,
}

/// The right limiter's steps: each wrong fix below overrides one.
trait Steps {
    /// Adds the whole tokens earned, up to the burst.
    fn refill(quota: Quota, bucket: &mut Bucket, now: Instant) {
        bucket.tokens += bucket.collect(quota.interval, now);
        bucket.cap(quota.burst, now);
    }

    /// Forgets the keys whose buckets are full again, at most once per
    /// `full_after()`.
    fn forget(keys: &mut Keys, now: Instant) {
        if now - keys.last_sweep < keys.quota.full_after() {
            return;
        }
        for bucket in keys.buckets.values_mut() {
            Self::refill(keys.quota, bucket, now);
        }
        let burst = u64::from(keys.quota.burst);
        keys.buckets.retain(|_, b| b.tokens < burst);
        keys.last_sweep = now;
    }
}

/// One check at `now`: forget, refill `key`'s bucket, spend a token if it
/// has one.
fn decide<S: Steps>(keys: &mut Keys, key: &str, now: Instant) -> Decision {
    S::forget(keys, now);
    let quota = keys.quota;
    let bucket = keys.buckets.entry(key.to_string()).or_insert(Bucket {
        tokens: u64::from(quota.burst),
        since: now,
        seen: now,
    });
    bucket.seen = now;
    S::refill(quota, bucket, now);
    if bucket.tokens == 0 {
        return Decision::Denied {
            retry_after: bucket.since + quota.interval - now,
        };
    }
    bucket.tokens -= 1;
    Decision::Allowed {
        remaining: bucket.tokens.min(u64::from(u32::MAX)) as u32,
    }
}

/// Each wrong fix is the keys behind a lock, with [`Steps`] of its own: this
/// makes them [`RateLimiter`]s.
macro_rules! limiters_over_steps {
    ($($name:ident),*) => {$(
        pub struct $name(Mutex<Keys>);

        impl RateLimiter for $name {
            fn new(quota: Quota) -> Self {
                $name(Mutex::new(Keys {
                    quota,
                    buckets: HashMap::new(),
                    last_sweep: Instant::now(),
                }))
            }

            fn check(&self, key: &str) -> Decision {
                let now = Instant::now();
                decide::<Self>(&mut self.0.lock().unwrap(), key, now)
            }

            fn tracked_keys(&self) -> usize {
                self.0.lock().unwrap().buckets.len()
            }
        }
    )*};
}

limiters_over_steps!(NoCap, NeverForgets, ForgetsByLastSeen);

// ANCHOR: no_cap
/// Refills without a cap: `tokens += earned`, and no `min(burst)`. A client
/// quiet for an hour comes back with 36,000 tokens and spends them at once.
impl Steps for NoCap {
    fn refill(quota: Quota, bucket: &mut Bucket, now: Instant) {
        bucket.tokens += bucket.collect(quota.interval, now);
    }
}
// ANCHOR_END: no_cap

// ANCHOR: never_forgets
/// Right decisions, and a map that only grows: every key ever seen, one-off
/// scanners and rotating IPv6 addresses included, stays in memory for ever.
impl Steps for NeverForgets {
    fn forget(_: &mut Keys, _: Instant) {}
}
// ANCHOR_END: never_forgets

// ANCHOR: forgets_by_last_seen
/// Forgets a key not seen for one interval: "idle" judged by when the key was
/// last seen, not by whether its bucket is full again. A client that drained
/// its bucket and waits one interval comes back with a full one.
impl Steps for ForgetsByLastSeen {
    fn forget(keys: &mut Keys, now: Instant) {
        keys.buckets
            .retain(|_, b| now - b.seen < keys.quota.interval);
    }
}
// ANCHOR_END: forgets_by_last_seen
