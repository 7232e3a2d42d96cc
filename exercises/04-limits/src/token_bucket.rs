//! # 04.1 Token bucket (in memory)
//!
//! **The flaw.** A limiter that refills "one token per interval since the last
//! check" and then stamps the check's time loses the part of an interval
//! already earned: a client that checks often never gets a token back. One
//! that does not cap the refill lets a quiet client save up a flood. And a map
//! of every key ever seen grows without end.
//!
//! **Your task.** Per key, keep what you need to know how full its bucket is
//! (a token count and the time the next token started accruing, or, simpler,
//! GCRA's one "theoretical arrival time"). `check` refills whole tokens
//! without losing the remainder, caps at the burst, spends one or says how
//! long until the next. Forget keys whose bucket is full again.
//!
//! **The spec checks**, on tokio's paused clock, an exact sequence of
//! decisions (remaining counts and waits to the millisecond), the cap after a
//! long idle, that keys are independent, that 10,000 idle keys are forgotten
//! and a drained key is not, and 400 tasks at once on one key.
//!
//! Run `cargo xtask test 04.1`; stuck? `cargo xtask hint 04.1`.

use racecourse_04::{Decision, Quota, RateLimiter};

/// Choose what it holds: per key, how full its bucket is (or when it will be
/// full again), behind one lock; and when it last forgot the idle keys.
pub struct TokenBucket {
    quota: Quota,
}

impl RateLimiter for TokenBucket {
    fn new(quota: Quota) -> Self {
        TokenBucket { quota }
    }

    fn check(&self, key: &str) -> Decision {
        let _quota = &self.quota;
        todo!("04.1 exercises/04-limits/src/token_bucket.rs: TokenBucket::check({key})")
    }

    /// How many keys the limiter holds.
    fn tracked_keys(&self) -> usize {
        todo!("04.1 exercises/04-limits/src/token_bucket.rs: TokenBucket::tracked_keys")
    }
}
