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

use racecourse_02::redis_store::entry_key;
use racecourse_02::{Begin, RedisIdempotencyStore, StoredResponse};
use redis::RedisResult;
use redis::aio::ConnectionManager;
use std::time::Duration;

/// A store on Redis: every key under `prefix` (`entry_key(prefix, key)`).
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    retention: Duration,
    lease: Duration,
}

impl RedisIdempotencyStore for RedisStore {
    fn new(conn: ConnectionManager, prefix: String, retention: Duration, lease: Duration) -> Self {
        RedisStore {
            conn,
            prefix,
            retention,
            lease,
        }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> RedisResult<Begin> {
        // A ConnectionManager is a cheap handle: clone one per call.
        let _conn = self.conn.clone();
        let (_entry, _lease) = (entry_key(&self.prefix, key), self.lease);
        todo!(
            "02.3 exercises/02-idempotency/src/redis_store.rs: RedisStore::begin({key}, {fingerprint})"
        )
    }

    async fn complete(&self, key: &str, response: StoredResponse) -> RedisResult<()> {
        let (_entry, _retention) = (entry_key(&self.prefix, key), self.retention);
        todo!(
            "02.3 exercises/02-idempotency/src/redis_store.rs: RedisStore::complete({key}, {response:?})"
        )
    }

    /// Deletes the entry only while it is an in-flight claim, in one script.
    async fn abandon(&self, key: &str) -> RedisResult<()> {
        let _entry = entry_key(&self.prefix, key);
        todo!("02.3 exercises/02-idempotency/src/redis_store.rs: RedisStore::abandon({key})")
    }
}
