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
use redis::RedisResult;
use redis::aio::ConnectionManager;
use std::time::Duration;

pub struct RedisFencedLock {
    conn: ConnectionManager,
    prefix: String,
}

impl FencedLock for RedisFencedLock {
    fn new(conn: ConnectionManager, prefix: String) -> Self {
        RedisFencedLock { conn, prefix }
    }

    /// `SET NX PX` the lock key, and only then `INCR` the fence key for the
    /// fence, in one Lua script.
    async fn acquire(&self, resource: &str, ttl: Duration) -> RedisResult<Option<Guard>> {
        // A ConnectionManager is a cheap handle: clone one per call.
        let _conn = self.conn.clone();
        let _lock = lock_key(&self.prefix, resource);
        let _fence = fence_key(&self.prefix, resource);
        todo!(
            "01.8 exercises/01-concurrency/src/fencing.rs: RedisFencedLock::acquire({resource}, {ttl:?})"
        )
    }

    async fn release(&self, guard: &Guard) -> RedisResult<bool> {
        let _lock = lock_key(&self.prefix, &guard.resource);
        todo!(
            "01.8 exercises/01-concurrency/src/fencing.rs: RedisFencedLock::release({})",
            guard.resource
        )
    }

    async fn write(
        &self,
        key: &str,
        value: &str,
        fence: u64,
    ) -> RedisResult<Result<(), StaleFence>> {
        let _data = data_key(&self.prefix, key);
        todo!(
            "01.8 exercises/01-concurrency/src/fencing.rs: RedisFencedLock::write({key}, {value}, {fence})"
        )
    }

    async fn read(&self, key: &str) -> RedisResult<Option<String>> {
        let _data = data_key(&self.prefix, key);
        todo!("01.8 exercises/01-concurrency/src/fencing.rs: RedisFencedLock::read({key})")
    }
}
