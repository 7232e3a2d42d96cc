//! # 03.3 Likes as idempotent PUT and DELETE on a Redis set
//!
//! **The race.** SADD, then INCR: a retried like adds nobody to the set but
//! one to the counter. Counting only when SADD returned 1 fixes that, but as a
//! second command: a client that dies between the two leaves the counter
//! behind the set for good.
//!
//! **Your task.** Each call is one Lua script, which Redis runs whole: `SADD`
//! (or `SREM`), and only if it returned 1, `INCR` (or `DECR`) the counter;
//! return the counter. The keys are `likers_key(prefix, post)` (the set) and
//! `count_key(prefix, post)` (the counter); `count` reads the counter.
//!
//! **The spec checks** that liking twice counts once and unliking what was
//! never liked changes nothing; that 100 identical likes at once count once
//! and 200 concurrent toggles leave the counter equal to the set; and that a
//! client paused, or killed, between two of its commands changes nothing.
//!
//! Run `cargo xtask test 03.3`; stuck? `cargo xtask hint 03.3`. Needs Redis.

use racecourse_03::Likes;
use racecourse_03::likes::{count_key, likers_key};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult, Script};

pub struct RedisLikes {
    conn: ConnectionManager,
    prefix: String,
}

// ANCHOR: scripts
/// Adds to the set and, only if that added someone, counts it: one command.
const LIKE: &str = "if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then redis.call('INCR', KEYS[2]) end \
     return tonumber(redis.call('GET', KEYS[2]) or '0')";
/// Removes from the set and, only if that removed someone, uncounts it.
const UNLIKE: &str = "if redis.call('SREM', KEYS[1], ARGV[1]) == 1 then redis.call('DECR', KEYS[2]) end \
     return tonumber(redis.call('GET', KEYS[2]) or '0')";
// ANCHOR_END: scripts

impl RedisLikes {
    async fn run(&self, script: &str, post: &str, user: &str) -> RedisResult<i64> {
        Script::new(script)
            .key(likers_key(&self.prefix, post))
            .key(count_key(&self.prefix, post))
            .arg(user)
            .invoke_async(&mut self.conn.clone())
            .await
    }
}

impl Likes for RedisLikes {
    fn new(conn: ConnectionManager, prefix: String) -> Self {
        RedisLikes { conn, prefix }
    }

    async fn like(&self, post: &str, user: &str) -> RedisResult<i64> {
        self.run(LIKE, post, user).await
    }

    async fn unlike(&self, post: &str, user: &str) -> RedisResult<i64> {
        self.run(UNLIKE, post, user).await
    }

    async fn count(&self, post: &str) -> RedisResult<i64> {
        let count: Option<i64> = self.conn.clone().get(count_key(&self.prefix, post)).await?;
        Ok(count.unwrap_or(0))
    }
}
