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

use racecourse_04::redis_limiter::{bucket_key, outage};
use racecourse_04::{Decision, OnOutage, Quota, RedisRateLimiter};
use redis::Script;
use redis::aio::ConnectionManager;
use std::sync::LazyLock;
use std::time::Duration;

// ANCHOR: script
/// GCRA in one script. The key holds the time (in microseconds of Redis's
/// clock) at which its bucket is full again; its TTL is how far that is from
/// now, so an idle key disappears exactly when it would carry no information.
static GCRA: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local interval = tonumber(ARGV[1])
        local full = interval * tonumber(ARGV[2])
        local full_at = tonumber(redis.call('GET', KEYS[1]) or now)
        if full_at < now then full_at = now end
        local ahead = full_at + interval - now
        if ahead > full then
            return {0, ahead - full}
        end
        redis.call('SET', KEYS[1], string.format('%d', now + ahead),
                   'PX', math.ceil(ahead / 1000))
        return {1, math.floor((full - ahead) / interval)}
        "#,
    )
});
// ANCHOR_END: script

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

    // ANCHOR: check
    async fn check(&self, key: &str) -> Decision {
        let mut conn = self.conn.clone();
        let interval_us = self.quota.interval.as_micros().max(1) as u64;
        let answer: redis::RedisResult<(i64, i64)> = GCRA
            .key(bucket_key(&self.prefix, key))
            .arg(interval_us)
            .arg(self.quota.burst)
            .invoke_async(&mut conn)
            .await;
        match answer {
            Ok((1, remaining)) => Decision::Allowed {
                remaining: remaining as u32,
            },
            Ok((_, wait_us)) => Decision::Denied {
                retry_after: Duration::from_micros(wait_us as u64),
            },
            // Redis is down, or did not answer in time: the configured choice.
            Err(_) => outage(self.on_outage),
        }
    }
    // ANCHOR_END: check
}
