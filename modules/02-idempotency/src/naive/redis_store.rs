//! 02.3, naive: the in-memory store's steps, one Redis command each.

use crate::redis_store::{Entry, RedisIdempotencyStore, completed, entry_key, in_flight};
use crate::store::{Begin, StoredResponse};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult};
use std::time::Duration;

// ANCHOR: naive
/// Looks the key up with GET and, finding nothing, claims it with a plain SET.
/// Another instance's GET between the two finds nothing too, and its SET
/// overwrites the first claim: both get New, both charge the card.
pub struct GetThenSet {
    conn: ConnectionManager,
    prefix: String,
    retention: Duration,
    lease: Duration,
}

impl RedisIdempotencyStore for GetThenSet {
    fn new(conn: ConnectionManager, prefix: String, retention: Duration, lease: Duration) -> Self {
        GetThenSet {
            conn,
            prefix,
            retention,
            lease,
        }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> RedisResult<Begin> {
        let mut conn = self.conn.clone();
        let key = entry_key(&self.prefix, key);
        let found: Option<String> = conn.get(&key).await?;
        if let Some(entry) = found.as_deref().and_then(Entry::decode) {
            return Ok(entry.answer(fingerprint));
        }
        let _: () = conn
            .pset_ex(&key, in_flight(fingerprint), self.lease.as_millis() as u64)
            .await?;
        Ok(Begin::New)
    }
    // ANCHOR_END: naive

    async fn complete(&self, key: &str, response: StoredResponse) -> RedisResult<()> {
        let mut conn = self.conn.clone();
        let key = entry_key(&self.prefix, key);
        let found: Option<String> = conn.get(&key).await?;
        if let Some(Entry::InFlight { fingerprint }) = found.as_deref().and_then(Entry::decode) {
            let _: () = conn
                .pset_ex(
                    &key,
                    completed(&fingerprint, &response),
                    self.retention.as_millis() as u64,
                )
                .await?;
        }
        Ok(())
    }

    async fn abandon(&self, key: &str) -> RedisResult<()> {
        let _: () = self.conn.clone().del(entry_key(&self.prefix, key)).await?;
        Ok(())
    }
}
