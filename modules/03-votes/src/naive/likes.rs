//! 03.3, naive: add to the set, then bump the counter, whatever the set said.

use crate::likes::{Likes, count_key, likers_key};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult};

/// The keys and connection every likes implementation below holds.
pub(crate) struct Keys {
    pub conn: ConnectionManager,
    pub prefix: String,
}

impl Keys {
    pub fn likers(&self, post: &str) -> String {
        likers_key(&self.prefix, post)
    }
    pub fn count(&self, post: &str) -> String {
        count_key(&self.prefix, post)
    }
    /// The counter as it is (0 if unset).
    pub async fn read(&self, post: &str) -> RedisResult<i64> {
        let count: Option<i64> = self.conn.clone().get(self.count(post)).await?;
        Ok(count.unwrap_or(0))
    }
}

// ANCHOR: naive
/// SADD, then INCR; SREM, then DECR. A retried PUT adds nobody to the set
/// but one to the counter; an unlike of a post never liked takes the counter
/// below zero.
pub struct AlwaysCount(pub(crate) Keys);

impl Likes for AlwaysCount {
    fn new(conn: ConnectionManager, prefix: String) -> Self {
        AlwaysCount(Keys { conn, prefix })
    }

    async fn like(&self, post: &str, user: &str) -> RedisResult<i64> {
        let mut conn = self.0.conn.clone();
        let _: i64 = conn.sadd(self.0.likers(post), user).await?;
        conn.incr(self.0.count(post), 1).await
    }

    async fn unlike(&self, post: &str, user: &str) -> RedisResult<i64> {
        let mut conn = self.0.conn.clone();
        let _: i64 = conn.srem(self.0.likers(post), user).await?;
        conn.decr(self.0.count(post), 1).await
    }
    // ANCHOR_END: naive

    async fn count(&self, post: &str) -> RedisResult<i64> {
        self.0.read(post).await
    }
}
