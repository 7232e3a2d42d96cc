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
use redis::RedisResult;
use redis::aio::ConnectionManager;

pub struct RedisLikes {
    conn: ConnectionManager,
    prefix: String,
}

impl Likes for RedisLikes {
    fn new(conn: ConnectionManager, prefix: String) -> Self {
        RedisLikes { conn, prefix }
    }

    async fn like(&self, post: &str, user: &str) -> RedisResult<i64> {
        // A ConnectionManager is a cheap handle: clone one per call.
        let _conn = self.conn.clone();
        let (_likers, _count) = (
            likers_key(&self.prefix, post),
            count_key(&self.prefix, post),
        );
        todo!("03.3 exercises/03-votes/src/likes.rs: RedisLikes::like({post}, {user})")
    }

    async fn unlike(&self, post: &str, user: &str) -> RedisResult<i64> {
        let (_likers, _count) = (
            likers_key(&self.prefix, post),
            count_key(&self.prefix, post),
        );
        todo!("03.3 exercises/03-votes/src/likes.rs: RedisLikes::unlike({post}, {user})")
    }

    /// The counter, 0 if unset.
    async fn count(&self, post: &str) -> RedisResult<i64> {
        let _count = count_key(&self.prefix, post);
        todo!("03.3 exercises/03-votes/src/likes.rs: RedisLikes::count({post})")
    }
}
