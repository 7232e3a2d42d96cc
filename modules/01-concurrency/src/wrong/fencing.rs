//! 01.8: Redis locks with one step split in two, or one option missing. Each
//! gets a single step wrong; the other steps are the right scripts.

use crate::fencing::{FencedLock, Guard, StaleFence, data_key, fence_key, lock_key};
use redis::aio::ConnectionManager;
use redis::{RedisResult, Script};
use std::time::Duration;

/// The right steps, one script each, that the wrong locks below share.
struct Right {
    conn: ConnectionManager,
    prefix: String,
}

const ACQUIRE: &str = "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end return false";
const RELEASE: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const WRITE: &str = "local highest = tonumber(redis.call('HGET', KEYS[1], 'fence') or '-1') \
    if tonumber(ARGV[2]) < highest then return highest end \
    redis.call('HSET', KEYS[1], 'value', ARGV[1], 'fence', ARGV[2]) return -1";

impl Right {
    async fn acquire(&self, resource: &str, ttl: Duration) -> RedisResult<Option<Guard>> {
        let owner = uuid::Uuid::new_v4().to_string();
        let fence: Option<u64> = Script::new(ACQUIRE)
            .key(lock_key(&self.prefix, resource))
            .key(fence_key(&self.prefix, resource))
            .arg(&owner)
            .arg(ttl.as_millis() as u64)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(fence.map(|fence| Guard {
            resource: resource.into(),
            owner,
            fence,
        }))
    }

    async fn release(&self, guard: &Guard) -> RedisResult<bool> {
        let deleted: i64 = Script::new(RELEASE)
            .key(lock_key(&self.prefix, &guard.resource))
            .arg(&guard.owner)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(deleted == 1)
    }

    async fn write(
        &self,
        key: &str,
        value: &str,
        fence: u64,
    ) -> RedisResult<Result<(), StaleFence>> {
        let highest: i64 = Script::new(WRITE)
            .key(data_key(&self.prefix, key))
            .arg(value)
            .arg(fence)
            .invoke_async(&mut self.conn.clone())
            .await?;
        Ok(stale_or_ok(fence, highest))
    }

    async fn read(&self, key: &str) -> RedisResult<Option<String>> {
        redis::cmd("HGET")
            .arg(data_key(&self.prefix, key))
            .arg("value")
            .query_async(&mut self.conn.clone())
            .await
    }
}

/// A negative highest fence means the write was accepted.
fn stale_or_ok(fence: u64, highest: i64) -> Result<(), StaleFence> {
    match u64::try_from(highest) {
        Ok(highest) => Err(StaleFence {
            presented: fence,
            highest,
        }),
        Err(_) => Ok(()),
    }
}

/// The trait's constructor and the right steps a wrong lock does not replace.
macro_rules! right_steps {
    (new) => {
        fn new(conn: ConnectionManager, prefix: String) -> Self {
            Self(Right { conn, prefix })
        }
        async fn read(&self, key: &str) -> RedisResult<Option<String>> {
            self.0.read(key).await
        }
    };
    (acquire) => {
        async fn acquire(&self, resource: &str, ttl: Duration) -> RedisResult<Option<Guard>> {
            self.0.acquire(resource, ttl).await
        }
    };
    (release) => {
        async fn release(&self, guard: &Guard) -> RedisResult<bool> {
            self.0.release(guard).await
        }
    };
    (write) => {
        async fn write(
            &self,
            key: &str,
            value: &str,
            fence: u64,
        ) -> RedisResult<Result<(), StaleFence>> {
            self.0.write(key, value, fence).await
        }
    };
}

/// Right owner and expiry, but the fence drawn before the lock is won.
pub struct FenceBeforeLock(Right);

impl FencedLock for FenceBeforeLock {
    right_steps!(new);
    right_steps!(release);
    right_steps!(write);

    // ANCHOR: fence_before_lock
    /// INCR, then SET NX PX: two commands. A client draws fence 5 and pauses;
    /// another draws 6, takes the lock, works, releases; the first then takes
    /// the lock holding fence 5, smaller than the holder's before it, and the
    /// storage refuses its writes while it holds the lock.
    async fn acquire(&self, resource: &str, ttl: Duration) -> RedisResult<Option<Guard>> {
        let mut conn = self.0.conn.clone();
        let fence: u64 = redis::cmd("INCR")
            .arg(fence_key(&self.0.prefix, resource))
            .query_async(&mut conn)
            .await?;
        let owner = uuid::Uuid::new_v4().to_string();
        let taken: Option<String> = redis::cmd("SET")
            .arg(lock_key(&self.0.prefix, resource))
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
    // ANCHOR_END: fence_before_lock
}

/// Right, except that the release checks the owner and deletes in two commands.
pub struct GetThenDel(Right);

impl FencedLock for GetThenDel {
    right_steps!(new);
    right_steps!(acquire);
    right_steps!(write);

    // ANCHOR: get_then_del
    /// GET, compare, DEL: the check is right, but it is a different command
    /// from the delete. If the lease runs out between them and another client
    /// takes the lock, the DEL frees the new holder's lock.
    async fn release(&self, guard: &Guard) -> RedisResult<bool> {
        let mut conn = self.0.conn.clone();
        let key = lock_key(&self.0.prefix, &guard.resource);
        let holder: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut conn).await?;
        if holder.as_deref() != Some(guard.owner.as_str()) {
            return Ok(false);
        }
        let deleted: u64 = redis::cmd("DEL").arg(&key).query_async(&mut conn).await?;
        Ok(deleted == 1)
    }
    // ANCHOR_END: get_then_del
}

/// Right, except that the lock never expires.
pub struct NoExpiry(Right);

impl FencedLock for NoExpiry {
    right_steps!(new);
    right_steps!(release);
    right_steps!(write);

    // ANCHOR: no_expiry
    /// SET NX without PX, in the right script otherwise: a holder that crashes
    /// holds the lock for ever, and every instance of the service waits on it.
    async fn acquire(&self, resource: &str, _ttl: Duration) -> RedisResult<Option<Guard>> {
        let owner = uuid::Uuid::new_v4().to_string();
        let fence: Option<u64> = Script::new(
            "if redis.call('SET', KEYS[1], ARGV[1], 'NX') then return redis.call('INCR', KEYS[2]) end return false",
        )
        .key(lock_key(&self.0.prefix, resource))
        .key(fence_key(&self.0.prefix, resource))
        .arg(&owner)
        .invoke_async(&mut self.0.conn.clone())
        .await?;
        Ok(fence.map(|fence| Guard {
            resource: resource.into(),
            owner,
            fence,
        }))
    }
    // ANCHOR_END: no_expiry
}

/// Right, except that the fenced write reads the fence and writes in two commands.
pub struct CheckThenWrite(Right);

impl FencedLock for CheckThenWrite {
    right_steps!(new);
    right_steps!(acquire);
    right_steps!(release);

    // ANCHOR: check_then_write
    /// HGET the highest fence, compare, HSET: a holder with a newer fence can
    /// write between the compare and the HSET, and the old fence wins.
    async fn write(
        &self,
        key: &str,
        value: &str,
        fence: u64,
    ) -> RedisResult<Result<(), StaleFence>> {
        let mut conn = self.0.conn.clone();
        let key = data_key(&self.0.prefix, key);
        let highest: Option<u64> = redis::cmd("HGET")
            .arg(&key)
            .arg("fence")
            .query_async(&mut conn)
            .await?;
        if let Some(highest) = highest.filter(|h| fence < *h) {
            return Ok(Err(StaleFence {
                presented: fence,
                highest,
            }));
        }
        redis::cmd("HSET")
            .arg(&key)
            .arg("value")
            .arg(value)
            .arg("fence")
            .arg(fence)
            .query_async::<()>(&mut conn)
            .await?;
        Ok(Ok(()))
    }
    // ANCHOR_END: check_then_write
}
