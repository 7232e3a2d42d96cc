//! 03.3: like counters that look consistent.

use crate::likes::Likes;
use crate::naive::likes::Keys;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult};

// ANCHOR: check_then_add
/// Asks SISMEMBER first and only then adds and counts, the two in one
/// MULTI/EXEC. The check and the act are still two round trips: another
/// like of the same user between them also finds "not a member", and both
/// transactions count it.
pub struct CheckThenAdd(Keys);

impl CheckThenAdd {
    async fn toggle(&self, post: &str, user: &str, like: bool) -> RedisResult<i64> {
        let mut conn = self.0.conn.clone();
        let member: bool = conn.sismember(self.0.likers(post), user).await?;
        if member != like {
            let mut pipe = redis::pipe();
            pipe.atomic();
            if like {
                pipe.sadd(self.0.likers(post), user)
                    .incr(self.0.count(post), 1);
            } else {
                pipe.srem(self.0.likers(post), user)
                    .decr(self.0.count(post), 1);
            }
            let _: () = pipe.query_async(&mut conn).await?;
        }
        self.0.read(post).await
    }
}
// ANCHOR_END: check_then_add

// ANCHOR: sadd_then_incr
/// Counts only when SADD (or SREM) returned 1, so a retried like counts
/// once. But the counter moves in a second command: between the two the
/// counter is one behind the set, a like answered in that gap reads it, and a
/// process that dies there (a deploy, an OOM kill) leaves it behind for good.
pub struct SaddThenIncr(Keys);

impl SaddThenIncr {
    async fn toggle(&self, post: &str, user: &str, like: bool) -> RedisResult<i64> {
        let mut conn = self.0.conn.clone();
        let changed: i64 = if like {
            conn.sadd(self.0.likers(post), user).await?
        } else {
            conn.srem(self.0.likers(post), user).await?
        };
        if changed == 1 {
            let delta = if like { 1 } else { -1 };
            return conn.incr(self.0.count(post), delta).await;
        }
        self.0.read(post).await
    }
}
// ANCHOR_END: sadd_then_incr

// ANCHOR: multi_always_counts
/// SADD and INCR in one MULTI/EXEC: atomic, so no crash or pause splits
/// them, but the INCR does not depend on what SADD returned. A transaction
/// cannot branch; a retried PUT still counts twice.
pub struct MultiAlwaysCounts(Keys);

impl MultiAlwaysCounts {
    async fn toggle(&self, post: &str, user: &str, like: bool) -> RedisResult<i64> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        if like {
            pipe.sadd(self.0.likers(post), user)
                .ignore()
                .incr(self.0.count(post), 1);
        } else {
            pipe.srem(self.0.likers(post), user)
                .ignore()
                .decr(self.0.count(post), 1);
        }
        let (count,): (i64,) = pipe.query_async(&mut self.0.conn.clone()).await?;
        Ok(count)
    }
}
// ANCHOR_END: multi_always_counts

/// Implements the contract with the type's `toggle`.
macro_rules! likes {
    ($name:ident) => {
        impl Likes for $name {
            fn new(conn: ConnectionManager, prefix: String) -> Self {
                $name(Keys { conn, prefix })
            }
            async fn like(&self, post: &str, user: &str) -> RedisResult<i64> {
                self.toggle(post, user, true).await
            }
            async fn unlike(&self, post: &str, user: &str) -> RedisResult<i64> {
                self.toggle(post, user, false).await
            }
            async fn count(&self, post: &str) -> RedisResult<i64> {
                self.0.read(post).await
            }
        }
    };
}

likes!(CheckThenAdd);
likes!(SaddThenIncr);
likes!(MultiAlwaysCounts);
