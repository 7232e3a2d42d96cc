//! 04.3: distributed limiters that look fixed.

use crate::redis_limiter::{OnOutage, RedisRateLimiter, bucket_key, outage};
use crate::think;
use crate::token_bucket::{Decision, Quota};
use redis::Script;
use redis::aio::ConnectionManager;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The fields every limiter here has.
pub struct Limiter<const FLAW: u8> {
    conn: ConnectionManager,
    prefix: String,
    quota: Quota,
    on_outage: OnOutage,
}

const GET_THEN_SET: u8 = 0;
const SCRIPT_WITHOUT_TTL: u8 = 1;
const ALWAYS_FAILS_OPEN: u8 = 2;

// ANCHOR: get_then_set
/// GCRA computed in Rust: GET the key's state, decide, SET the new state
/// with PX. Right on one instance at a time; two instances that GET before
/// either SETs both allow, and the last SET wins.
pub type GetThenSet = Limiter<GET_THEN_SET>;
// ANCHOR_END: get_then_set

// ANCHOR: script_without_ttl
/// One atomic script, right decisions, and `SET key value` without `PX`:
/// every client ever seen keeps a key in Redis for ever.
pub type ScriptWithoutTtl = Limiter<SCRIPT_WITHOUT_TTL>;
// ANCHOR_END: script_without_ttl

// ANCHOR: always_fails_open
/// The right script, and `Err(_) => Allowed`: the configuration says fail
/// closed, the code fails open. With Redis down, the login endpoint the
/// limiter protects takes unlimited password guesses.
pub type AlwaysFailsOpen = Limiter<ALWAYS_FAILS_OPEN>;
// ANCHOR_END: always_fails_open

/// The GCRA script, with `PX` on the SET or without (`{px}` below).
const GCRA: &str = r#"
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local interval = tonumber(ARGV[1])
    local full = interval * tonumber(ARGV[2])
    local full_at = tonumber(redis.call('GET', KEYS[1]) or now)
    if full_at < now then full_at = now end
    local ahead = full_at + interval - now
    if ahead > full then return {0, ahead - full} end
    {set}
    return {1, math.floor((full - ahead) / interval)}
"#;

static WITH_TTL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&GCRA.replace(
        "{set}",
        "redis.call('SET', KEYS[1], string.format('%d', now + ahead), 'PX', math.ceil(ahead / 1000))",
    ))
});
static WITHOUT_TTL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&GCRA.replace(
        "{set}",
        "redis.call('SET', KEYS[1], string.format('%d', now + ahead))",
    ))
});

fn micros_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

impl<const FLAW: u8> Limiter<FLAW> {
    async fn decide(&self, key: &str) -> redis::RedisResult<Decision> {
        let mut conn = self.conn.clone();
        let key = bucket_key(&self.prefix, key);
        let interval = self.quota.interval.as_micros() as u64;
        let full = interval * u64::from(self.quota.burst);
        let (allowed, n): (i64, i64) = if FLAW == GET_THEN_SET {
            let now = micros_now();
            let stored: Option<u64> = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
            think().await;
            let ahead = stored.unwrap_or(now).max(now) + interval - now;
            if ahead > full {
                (0, (ahead - full) as i64)
            } else {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(now + ahead)
                    .arg("PX")
                    .arg(ahead.div_ceil(1000))
                    .query_async::<()>(&mut conn)
                    .await?;
                (1, ((full - ahead) / interval) as i64)
            }
        } else {
            let script = if FLAW == SCRIPT_WITHOUT_TTL {
                &*WITHOUT_TTL
            } else {
                &*WITH_TTL
            };
            script
                .key(&key)
                .arg(interval)
                .arg(self.quota.burst)
                .invoke_async(&mut conn)
                .await?
        };
        Ok(if allowed == 1 {
            Decision::Allowed {
                remaining: n as u32,
            }
        } else {
            Decision::Denied {
                retry_after: Duration::from_micros(n as u64),
            }
        })
    }
}

impl<const FLAW: u8> RedisRateLimiter for Limiter<FLAW> {
    fn new(conn: ConnectionManager, prefix: String, quota: Quota, on_outage: OnOutage) -> Self {
        Limiter {
            conn,
            prefix,
            quota,
            on_outage,
        }
    }

    async fn check(&self, key: &str) -> Decision {
        match self.decide(key).await {
            Ok(decision) => decision,
            Err(_) if FLAW == ALWAYS_FAILS_OPEN => Decision::Allowed { remaining: 0 },
            Err(_) => outage(self.on_outage),
        }
    }
}

// ANCHOR: incr_then_expire
/// The usual fix of the naive limiter's race: no GET, INCR first and judge
/// by the count it returns, so no two requests get the same count. The
/// EXPIRE still comes after the INCR, in a second command: an instance that
/// dies between them leaves a counter with no TTL, which refuses its client
/// for ever once full.
pub type IncrThenExpire = crate::naive::redis_limiter::Counter<false>;
// ANCHOR_END: incr_then_expire
