//! Exercise 04.1: a token bucket per key, in memory. Each key may spend up to
//! `burst` requests at once, and earns one more every `interval`, up to
//! `burst` again.
//!
//! The clock is tokio's (`tokio::time::Instant`): the spec pauses it and moves
//! it forward, so every decision is exact to the nanosecond and a minute of
//! traffic is checked in microseconds.

use std::time::Duration;

/// How much a key may do: `burst` requests at once, one more every `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub burst: u32,
    pub interval: Duration,
}

impl Quota {
    /// How long an empty bucket takes to be full again.
    pub fn full_after(&self) -> Duration {
        self.interval * self.burst
    }
}

/// What `check` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The request may go; this many more may go right now.
    Allowed { remaining: u32 },
    /// Refused; the next token comes after this long.
    Denied { retry_after: Duration },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

pub trait RateLimiter: Send + Sync + 'static {
    /// A limiter that gives every key `quota`, and knows no key yet.
    fn new(quota: Quota) -> Self
    where
        Self: Sized;

    /// Spends one of `key`'s tokens if it has one. A denied request spends
    /// nothing. Whole tokens only, but the time towards the next one is never
    /// lost: checking often must not slow the refill.
    fn check(&self, key: &str) -> Decision;

    /// How many keys the limiter holds state for. A key whose bucket is full
    /// again carries nothing worth keeping: it is forgotten, at the latest by
    /// the first check (of any key) that comes `quota.full_after()` or more
    /// after the previous such sweep, so that a million one-off clients do not
    /// grow the map for ever.
    fn tracked_keys(&self) -> usize;
}
