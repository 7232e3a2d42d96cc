//! SET NX PX to take the lock is right; DEL to release and a write that trusts
//! its caller are not: a stranger frees the lock, a paused holder overwrites.

use crate::fencing::{FencedLock, Guard, StaleFence, data_key, fence_key, lock_key};
use redis::RedisResult;
use redis::aio::ConnectionManager;
use std::time::Duration;

pub struct DelLock {
    conn: ConnectionManager,
    prefix: String,
}

impl FencedLock for DelLock {
    fn new(conn: ConnectionManager, prefix: String) -> Self {
        DelLock { conn, prefix }
    }

    async fn acquire(&self, resource: &str, ttl: Duration) -> RedisResult<Option<Guard>> {
        let mut conn = self.conn.clone();
        let fence: u64 = redis::cmd("INCR")
            .arg(fence_key(&self.prefix, resource))
            .query_async(&mut conn)
            .await?;
        let owner = uuid::Uuid::new_v4().to_string();
        let taken: Option<String> = redis::cmd("SET")
            .arg(lock_key(&self.prefix, resource))
            .arg(&owner)
            .arg("NX")
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .query_async(&mut conn)
            .await?;
        Ok(taken.map(|_| Guard {
            resource: resource.into(),
            owner,
            fence,
        }))
    }

    async fn release(&self, guard: &Guard) -> RedisResult<bool> {
        let mut conn = self.conn.clone();
        let deleted: u64 = redis::cmd("DEL")
            .arg(lock_key(&self.prefix, &guard.resource))
            .query_async(&mut conn)
            .await?;
        Ok(deleted == 1)
    }

    async fn write(
        &self,
        key: &str,
        value: &str,
        fence: u64,
    ) -> RedisResult<Result<(), StaleFence>> {
        let mut conn = self.conn.clone();
        redis::cmd("HSET")
            .arg(data_key(&self.prefix, key))
            .arg("value")
            .arg(value)
            .arg("fence")
            .arg(fence)
            .query_async::<()>(&mut conn)
            .await?;
        Ok(Ok(()))
    }

    async fn read(&self, key: &str) -> RedisResult<Option<String>> {
        let mut conn = self.conn.clone();
        redis::cmd("HGET")
            .arg(data_key(&self.prefix, key))
            .arg("value")
            .query_async(&mut conn)
            .await
    }
}
