//! # 01.8 Redis lock with a fencing token
//!
//! **The race.** A lock in Redis with a TTL frees itself when its holder
//! crashes, but also when its holder merely pauses (a long GC, a slow disk).
//! The paused holder wakes up believing it still holds the lock and writes
//! over the new holder's work. And a release with a plain `DEL` frees whoever
//! holds the lock now, not just the caller.
//!
//! **Your task.** Take the lock with `SET NX PX` and a random owner value;
//! release it with a Lua script that deletes only your own value; hand out a
//! fence that grows with every acquisition (`INCR`), and make the storage
//! refuse a write whose fence is lower than one it has already seen.
//!
//! **The spec checks** that the lock is exclusive and expires, that a
//! stranger's release is refused, that a paused holder's late write and late
//! release are refused, that 20 holders in turn count to exactly 20 with each
//! fence larger than the one before, and that a client paused between two of
//! its commands (a proxy holds it) changes nothing: every step is one command.
//!
//! Run `cargo xtask test 01.8`; stuck? `cargo xtask hint 01.8`. Needs Redis.

use racecourse_01::fencing::{data_key, fence_key, lock_key};
use racecourse_01::{FencedLock, Guard, StaleFence};
use redis::aio::ConnectionManager;
use redis::{RedisResult, Script};
use std::time::Duration;

// ANCHOR: scripts
/// Takes the lock and, only if that worked, draws the next fence, as one step:
/// with INCR and SET as two commands, a client could draw fence 5, lose the
/// race for the lock to fence 6, and win it later, holding a smaller fence
/// than a holder before it.
const ACQUIRE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return redis.call('INCR', KEYS[2])
end
return false";

/// Deletes the lock only if it still holds the caller's owner value: the GET
/// and the DEL run as one, with nothing in between.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0";

/// Writes value and fence if the fence is at least the highest seen; otherwise
/// returns the highest seen. Returns -1 on success.
const FENCED_WRITE: &str = r"
local highest = tonumber(redis.call('HGET', KEYS[1], 'fence') or '-1')
local fence = tonumber(ARGV[2])
if fence < highest then
    return highest
end
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'fence', fence)
return -1";
// ANCHOR_END: scripts

pub struct RedisFencedLock {
    conn: ConnectionManager,
    prefix: String,
    acquire: Script,
    release: Script,
    write: Script,
}

impl FencedLock for RedisFencedLock {
    fn new(conn: ConnectionManager, prefix: String) -> Self {
        RedisFencedLock {
            conn,
            prefix,
            acquire: Script::new(ACQUIRE),
            release: Script::new(RELEASE),
            write: Script::new(FENCED_WRITE),
        }
    }

    // ANCHOR: acquire
    async fn acquire(&self, resource: &str, ttl: Duration) -> RedisResult<Option<Guard>> {
        let mut conn = self.conn.clone();
        let owner = uuid::Uuid::new_v4().to_string();
        // NX: only if nobody holds it. PX: it goes away by itself.
        let fence: Option<u64> = self
            .acquire
            .key(lock_key(&self.prefix, resource))
            .key(fence_key(&self.prefix, resource))
            .arg(&owner)
            .arg(ttl.as_millis() as u64)
            .invoke_async(&mut conn)
            .await?;
        Ok(fence.map(|fence| Guard {
            resource: resource.into(),
            owner,
            fence,
        }))
    }
    // ANCHOR_END: acquire

    async fn release(&self, guard: &Guard) -> RedisResult<bool> {
        let mut conn = self.conn.clone();
        let deleted: i64 = self
            .release
            .key(lock_key(&self.prefix, &guard.resource))
            .arg(&guard.owner)
            .invoke_async(&mut conn)
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
        let highest: i64 = self
            .write
            .key(data_key(&self.prefix, key))
            .arg(value)
            .arg(fence)
            .invoke_async(&mut conn)
            .await?;
        Ok(match u64::try_from(highest) {
            Ok(highest) => Err(StaleFence {
                presented: fence,
                highest,
            }),
            Err(_) => Ok(()),
        })
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
