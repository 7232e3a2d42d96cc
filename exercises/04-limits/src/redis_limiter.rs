//! # 04.3 Distributed limiter (Redis)
//!
//! **The race.** Three instances of a service share one budget per client in
//! Redis. If each reads the bucket, decides, and writes it back in separate
//! commands, two instances decide from the same reading and both allow. And a
//! counter made with INCR, then EXPIRE, is two commands: a crash between them
//! leaves a key that never expires.
//!
//! **Your task.** One Lua script per decision (the GCRA of 04.1, or a token
//! bucket): read the key's state and Redis's clock (`redis.call('TIME')`),
//! decide, write the new state with `PX` (no longer than the bucket takes to
//! fill), return the decision. If the call fails, answer as `on_outage`
//! says (`racecourse_04::redis_limiter::outage`).
//!
//! **The spec checks** exact decisions, the refill in real time, that every key
//! has a TTL (also while the limiter is paused between two of its commands),
//! that three instances with 150 requests at once on a burst of 50 allow
//! exactly 50, that a pause between two commands changes nothing, and both
//! outage choices with Redis cut off.
//!
//! Run `cargo xtask test 04.3`; stuck? `cargo xtask hint 04.3`.

use racecourse_04::{Decision, OnOutage, Quota, RedisRateLimiter};
use redis::aio::ConnectionManager;

pub struct RedisBucket {
    conn: ConnectionManager,
    prefix: String,
    quota: Quota,
    on_outage: OnOutage,
}

impl RedisRateLimiter for RedisBucket {
    fn new(conn: ConnectionManager, prefix: String, quota: Quota, on_outage: OnOutage) -> Self {
        RedisBucket {
            conn,
            prefix,
            quota,
            on_outage,
        }
    }

    /// One Lua script on `bucket_key(&self.prefix, key)` (in
    /// `racecourse_04::redis_limiter`) for `self.quota`, with a TTL; on an
    /// error, answer as `self.on_outage` says.
    async fn check(&self, key: &str) -> Decision {
        let _ = (&self.conn, &self.prefix, &self.quota, &self.on_outage);
        todo!("04.3 exercises/04-limits/src/redis_limiter.rs: RedisBucket::check({key})")
    }
}
