//! # 02.3 Idempotency store (Redis)
//!
//! **The race.** Every instance of a service must see the same keys, so the
//! store moves to Redis, where nothing runs between a client's two commands
//! on its behalf: a GET that finds nothing and the SET after it let another
//! instance claim the key in between, and both run the work. And a claim
//! without a TTL, left by a request that crashed, blocks its retry for ever.
//!
//! **Your task.** `begin` claims the key with one atomic command,
//! `SET <key> <in-flight marker> NX PX <lease>`, or, if the key exists, reads
//! it and answers by its state and fingerprint (a Lua script does both at
//! once). `complete` turns the claim into the stored response with the
//! retention as its TTL; `abandon` deletes the claim only if it is still one.
//! `racecourse_02::redis_store` gives the key and the values' format.
//!
//! **The spec checks**, on a real Redis, each answer of `begin`, that
//! `abandon` leaves a completed entry alone, the retention's TTL after
//! `complete`, that a claim lapses after its lease, that of 50 requests
//! racing with one key exactly one gets New (20 rounds), and that a client
//! paused between two of its commands changes nothing.
//!
//! Run `cargo xtask test 02.3`; stuck? `cargo xtask hint 02.3`.

use racecourse_02::redis_store::{Entry, entry_key, in_flight, response_json};
use racecourse_02::{Begin, RedisIdempotencyStore, StoredResponse};
use redis::aio::ConnectionManager;
use redis::{RedisResult, Script};
use std::time::Duration;

pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    retention: Duration,
    lease: Duration,
}

// ANCHOR: scripts
/// Claims the key (NX: only if absent; PX: for the lease) or, if someone has,
/// returns what it holds. One script: nothing runs between the two.
const CLAIM_OR_READ: &str = "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then \
       return false \
     end \
     return redis.call('GET', KEYS[1])";

/// Turns a claim into the completed entry, keeping its fingerprint, for the
/// retention. Only a claim: a lapsed one is gone, and stays gone.
const COMPLETE: &str = "local v = redis.call('GET', KEYS[1]) \
     if v and string.sub(v, 1, 10) == 'in_flight\\n' then \
       redis.call('SET', KEYS[1], 'completed\\n' .. string.sub(v, 11) .. '\\n' .. ARGV[1], 'PX', ARGV[2]) \
       return 1 \
     end \
     return 0";

/// Deletes the key only while it is an in-flight claim.
const ABANDON: &str = "local v = redis.call('GET', KEYS[1]) \
     if v and string.sub(v, 1, 10) == 'in_flight\\n' then \
       return redis.call('DEL', KEYS[1]) \
     end \
     return 0";
// ANCHOR_END: scripts

impl RedisIdempotencyStore for RedisStore {
    fn new(conn: ConnectionManager, prefix: String, retention: Duration, lease: Duration) -> Self {
        RedisStore {
            conn,
            prefix,
            retention,
            lease,
        }
    }

    // ANCHOR: begin
    async fn begin(&self, key: &str, fingerprint: &str) -> RedisResult<Begin> {
        let found: Option<String> = Script::new(CLAIM_OR_READ)
            .key(entry_key(&self.prefix, key))
            .arg(in_flight(fingerprint))
            .arg(self.lease.as_millis() as u64)
            .invoke_async(&mut self.conn.clone())
            .await?;
        let Some(value) = found else {
            return Ok(Begin::New);
        };
        match Entry::decode(&value) {
            Some(entry) => Ok(entry.answer(fingerprint)),
            // Not ours to read: treat the key as taken by someone else.
            None => Ok(Begin::Mismatch),
        }
    }
    // ANCHOR_END: begin

    // ANCHOR: complete
    async fn complete(&self, key: &str, response: StoredResponse) -> RedisResult<()> {
        let _completed: i64 = Script::new(COMPLETE)
            .key(entry_key(&self.prefix, key))
            .arg(response_json(&response))
            .arg(self.retention.as_millis() as u64)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    async fn abandon(&self, key: &str) -> RedisResult<()> {
        let _deleted: i64 = Script::new(ABANDON)
            .key(entry_key(&self.prefix, key))
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }
    // ANCHOR_END: complete
}
