//! 04.3, naive: the rate limiter of Redis's own documentation for INCR
//! ("Pattern: Rate limiter"): GET the counter, and if it is under the limit,
//! INCR it, and EXPIRE it when it is new.

use crate::redis_limiter::{OnOutage, RedisRateLimiter, bucket_key, outage};
use crate::think;
use crate::token_bucket::{Decision, Quota};
use redis::aio::ConnectionManager;
use std::time::Duration;

// ANCHOR: naive
/// The naive limiter: GET, then INCR, then EXPIRE.
pub type GetIncrExpire = Counter<true>;

/// Three commands, each atomic, none together. Instances that GET the same
/// count before any of them INCRs all see room and all allow: three
/// instances let through up to three times the limit. And the EXPIRE comes
/// after the INCR: an instance that crashes, pauses or loses its connection
/// between them leaves a counter with no TTL, which refuses its client for
/// ever once full. (A fixed window, too, not a bucket.) Without the GET
/// (`GET_FIRST` false) it is the usual fix of the first flaw, which keeps the
/// second: `crate::wrong::redis_limiter::IncrThenExpire`.
pub struct Counter<const GET_FIRST: bool> {
    conn: ConnectionManager,
    prefix: String,
    quota: Quota,
    on_outage: OnOutage,
}

impl<const GET_FIRST: bool> Counter<GET_FIRST> {
    async fn count(&self, key: &str) -> redis::RedisResult<Decision> {
        let mut conn = self.conn.clone();
        let key = bucket_key(&self.prefix, key);
        if GET_FIRST {
            let current: Option<u32> = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
            if current.is_some_and(|n| n >= self.quota.burst) {
                return self.denied(&mut conn, &key).await;
            }
            think().await;
        }
        let n: u32 = redis::cmd("INCR").arg(&key).query_async(&mut conn).await?;
        think().await;
        if n == 1 {
            let window = self.quota.full_after().as_millis() as u64;
            redis::cmd("PEXPIRE")
                .arg(&key)
                .arg(window)
                .query_async::<()>(&mut conn)
                .await?;
        }
        // The naive code judged by the GET, before the INCR; the fix judges
        // by the count the INCR returned.
        if !GET_FIRST && n > self.quota.burst {
            return self.denied(&mut conn, &key).await;
        }
        Ok(Decision::Allowed {
            remaining: self.quota.burst.saturating_sub(n),
        })
    }

    /// Refused until the counter expires.
    async fn denied(
        &self,
        conn: &mut ConnectionManager,
        key: &str,
    ) -> redis::RedisResult<Decision> {
        let ttl: i64 = redis::cmd("PTTL").arg(key).query_async(conn).await?;
        Ok(Decision::Denied {
            retry_after: Duration::from_millis(ttl.max(0) as u64),
        })
    }
}
// ANCHOR_END: naive

impl<const GET_FIRST: bool> RedisRateLimiter for Counter<GET_FIRST> {
    fn new(conn: ConnectionManager, prefix: String, quota: Quota, on_outage: OnOutage) -> Self {
        Counter {
            conn,
            prefix,
            quota,
            on_outage,
        }
    }

    async fn check(&self, key: &str) -> Decision {
        self.count(key)
            .await
            .unwrap_or_else(|_| outage(self.on_outage))
    }
}
