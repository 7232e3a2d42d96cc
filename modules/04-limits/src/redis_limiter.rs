//! Exercise 04.3: the token bucket of 04.1 on Redis, so that every instance of
//! a service shares one budget per key.
//!
//! Each decision is one atomic step on the server (one Lua script): read the
//! key's state, decide, write it back with a TTL. Two commands (a GET, then a
//! SET; an INCR, then an EXPIRE) leave a gap in which another instance decides
//! from the same state, or a crash leaves a key that never expires. Redis keeps
//! the time (`redis.call('TIME')` in the script), so instances whose clocks
//! disagree still agree.

use crate::token_bucket::{Decision, Quota};
use redis::aio::ConnectionManager;
use std::future::Future;
use std::time::Duration;

/// What the limiter answers when Redis does not: a choice the service makes,
/// per limiter, and the spec checks both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnOutage {
    /// Fail open: every request is allowed (`Allowed { remaining: 0 }`). For a
    /// limiter that protects nothing critical: an outage of Redis must not
    /// become an outage of the service.
    Allow,
    /// Fail closed: every request is refused (`Denied { retry_after:
    /// OUTAGE_RETRY_AFTER }`). For a limiter in front of something expensive or
    /// abusable: a login, an SMS, a payment.
    Deny,
}

/// What a fail-closed limiter tells the client to wait during an outage.
pub const OUTAGE_RETRY_AFTER: Duration = Duration::from_secs(1);

pub trait RedisRateLimiter: Send + Sync + 'static {
    /// A limiter whose every key starts with `prefix`, giving each key `quota`.
    /// The spec's connection gives up on a command after a second: an
    /// unanswered command is an outage, not a wait.
    fn new(conn: ConnectionManager, prefix: String, quota: Quota, on_outage: OnOutage) -> Self
    where
        Self: Sized;

    /// One decision for `key`, the same as 04.1's, taken on Redis in one
    /// atomic script. Every key it writes carries a TTL (no longer than the
    /// time the bucket takes to be full again). If Redis fails, the answer
    /// `on_outage` says.
    fn check(&self, key: &str) -> impl Future<Output = Decision> + Send;
}

/// The Redis key holding `key`'s bucket.
pub fn bucket_key(prefix: &str, key: &str) -> String {
    format!("{prefix}rl:{key}")
}

/// The answer during an outage, as `on_outage` chooses.
pub fn outage(on_outage: OnOutage) -> Decision {
    match on_outage {
        OnOutage::Allow => Decision::Allowed { remaining: 0 },
        OnOutage::Deny => Decision::Denied {
            retry_after: OUTAGE_RETRY_AFTER,
        },
    }
}
