//! 02.3: Redis idempotency stores that look fixed. They share the right steps
//! ([`Right`]: one script each); each gets one step wrong.

use crate::redis_store::{
    Entry, RedisIdempotencyStore, completed, entry_key, in_flight, response_json,
};
use crate::store::{Begin, StoredResponse};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult, Script};
use std::time::Duration;

const CLAIM_OR_READ: &str = "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end \
     return redis.call('GET', KEYS[1])";
const COMPLETE: &str = "local v = redis.call('GET', KEYS[1]) \
     if v and string.sub(v, 1, 10) == 'in_flight\\n' then \
       redis.call('SET', KEYS[1], 'completed\\n' .. string.sub(v, 11) .. '\\n' .. ARGV[1], 'PX', ARGV[2]) return 1 end \
     return 0";
const ABANDON: &str = "local v = redis.call('GET', KEYS[1]) \
     if v and string.sub(v, 1, 10) == 'in_flight\\n' then return redis.call('DEL', KEYS[1]) end \
     return 0";

/// The right steps, which the wrong stores below share.
struct Right {
    conn: ConnectionManager,
    prefix: String,
    retention: Duration,
    lease: Duration,
}

impl Right {
    fn new(conn: ConnectionManager, prefix: String, retention: Duration, lease: Duration) -> Right {
        Right {
            conn,
            prefix,
            retention,
            lease,
        }
    }

    fn key(&self, key: &str) -> String {
        entry_key(&self.prefix, key)
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> RedisResult<Begin> {
        let found: Option<String> = Script::new(CLAIM_OR_READ)
            .key(self.key(key))
            .arg(in_flight(fingerprint))
            .arg(self.lease.as_millis() as u64)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(answer(found, fingerprint))
    }

    async fn complete(&self, key: &str, response: StoredResponse) -> RedisResult<()> {
        let _: i64 = Script::new(COMPLETE)
            .key(self.key(key))
            .arg(response_json(&response))
            .arg(self.retention.as_millis() as u64)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    async fn abandon(&self, key: &str) -> RedisResult<()> {
        let _: i64 = Script::new(ABANDON)
            .key(self.key(key))
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }
}

/// `begin`'s answer when the key held `found` (nothing: the claim is ours).
fn answer(found: Option<String>, fingerprint: &str) -> Begin {
    match found.as_deref().map(Entry::decode) {
        None => Begin::New,
        Some(Some(entry)) => entry.answer(fingerprint),
        Some(None) => Begin::Mismatch,
    }
}

/// Implements the contract with `$begin`, `$complete` and `$abandon`, each
/// either `right` or a method of the type's own.
macro_rules! store {
    ($name:ident, $begin:ident, $complete:ident, $abandon:ident) => {
        impl RedisIdempotencyStore for $name {
            fn new(
                conn: ConnectionManager,
                prefix: String,
                retention: Duration,
                lease: Duration,
            ) -> Self {
                $name(Right::new(conn, prefix, retention, lease))
            }
            async fn begin(&self, key: &str, fingerprint: &str) -> RedisResult<Begin> {
                store!(@call self, $begin, begin, key, fingerprint)
            }
            async fn complete(&self, key: &str, response: StoredResponse) -> RedisResult<()> {
                store!(@call self, $complete, complete, key, response)
            }
            async fn abandon(&self, key: &str) -> RedisResult<()> {
                store!(@call self, $abandon, abandon, key)
            }
        }
    };
    (@call $self:ident, right, $method:ident, $($arg:expr),*) => {
        $self.0.$method($($arg),*).await
    };
    (@call $self:ident, $own:ident, $method:ident, $($arg:expr),*) => {
        $self.$own($($arg),*).await
    };
}

// ANCHOR: no_lease
/// Claims with `SET NX` and no `PX`: atomic, so two racers never both win.
/// But a request that crashes holding its claim never completes nor abandons
/// it, and a claim with no TTL answers its every retry InFlight, for ever.
pub struct NoLease(Right);

impl NoLease {
    async fn claim(&self, key: &str, fingerprint: &str) -> RedisResult<Begin> {
        let found: Option<String> = Script::new(
            "if redis.call('SET', KEYS[1], ARGV[1], 'NX') then return false end \
             return redis.call('GET', KEYS[1])",
        )
        .key(self.0.key(key))
        .arg(in_flight(fingerprint))
        .invoke_async(&mut self.0.conn.clone())
        .await?;
        Ok(answer(found, fingerprint))
    }
}
// ANCHOR_END: no_lease
store!(NoLease, claim, right, right);

// ANCHOR: get_then_set_nx
/// Looks the key up with GET, answers from it if it is there, and else claims
/// it with `SET NX PX`; if that SET fails, someone claimed in between, so it
/// answers InFlight. The claim is atomic, but the answer comes from the stale
/// GET: the one who claimed in between may have sent another body (Mismatch)
/// or already completed (Replay).
pub struct GetThenSetNx(Right);

impl GetThenSetNx {
    async fn get_then_claim(&self, key: &str, fingerprint: &str) -> RedisResult<Begin> {
        let mut conn = self.0.conn.clone();
        let key = self.0.key(key);
        let found: Option<String> = conn.get(&key).await?;
        if found.is_some() {
            return Ok(answer(found, fingerprint));
        }
        let claimed: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(in_flight(fingerprint))
            .arg("NX")
            .arg("PX")
            .arg(self.0.lease.as_millis() as u64)
            .query_async(&mut conn)
            .await?;
        Ok(if claimed.is_some() {
            Begin::New
        } else {
            Begin::InFlight
        })
    }
}
// ANCHOR_END: get_then_set_nx
store!(GetThenSetNx, get_then_claim, right, right);

// ANCHOR: no_retention
/// Completes by writing the response over the claim with a plain SET: the
/// SET drops the claim's TTL and sets none, so the entry is kept for ever and
/// Redis fills up with every key any client ever sent.
pub struct NoRetention(Right);

impl NoRetention {
    async fn store_forever(&self, key: &str, response: StoredResponse) -> RedisResult<()> {
        let mut conn = self.0.conn.clone();
        let key = self.0.key(key);
        let found: Option<String> = conn.get(&key).await?;
        if let Some(Entry::InFlight { fingerprint }) = found.as_deref().and_then(Entry::decode) {
            let _: () = conn.set(&key, completed(&fingerprint, &response)).await?;
        }
        Ok(())
    }
}
// ANCHOR_END: no_retention
store!(NoRetention, right, store_forever, right);

// ANCHOR: del_abandon
/// Abandons with a plain DEL. A layer that abandons after a failure never
/// calls it on a completed key, but a confused caller, or a retry whose own
/// request failed after the first one completed, deletes the stored response,
/// and the next retry runs the work again.
pub struct DelAbandon(Right);

impl DelAbandon {
    async fn delete(&self, key: &str) -> RedisResult<()> {
        let _: () = self.0.conn.clone().del(self.0.key(key)).await?;
        Ok(())
    }
}
// ANCHOR_END: del_abandon
store!(DelAbandon, right, right, delete);
