//! 07.1, naive: count the line, then join it.

use crate::queue::{Entry, Joined, TicketQueue};
use crate::think;
use crate::tickets::{entry_key, owner_token, queue_key};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult};

/// The position is the line's length read before the push: two joins that
/// read the same length get the same position.
pub struct CountThenPush {
    pub(crate) conn: ConnectionManager,
    pub(crate) prefix: String,
}

impl CountThenPush {
    /// Where `queue_id` stands now: LPOS plus one.
    pub(crate) async fn lpos(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        let mut conn = self.conn.clone();
        let index: Option<u64> = redis::cmd("LPOS")
            .arg(queue_key(&self.prefix))
            .arg(queue_id)
            .query_async(&mut conn)
            .await?;
        Ok(index.map(|i| i + 1))
    }

    /// The front of the line and its hash.
    pub(crate) async fn pop(&self) -> RedisResult<Option<Entry>> {
        let mut conn = self.conn.clone();
        let Some(queue_id): Option<String> = conn.lpop(queue_key(&self.prefix), None).await? else {
            return Ok(None);
        };
        let (ticket, user): (Option<i64>, Option<String>) = conn
            .hmget(entry_key(&self.prefix, &queue_id), &["ticket", "user"])
            .await?;
        Ok(Some(Entry {
            queue_id,
            ticket: ticket.unwrap_or_default(),
            user: user.unwrap_or_default(),
        }))
    }

    /// Writes the entry's hash.
    pub(crate) async fn describe(
        &self,
        queue_id: &str,
        ticket: i64,
        user: &str,
    ) -> RedisResult<()> {
        let mut conn = self.conn.clone();
        conn.hset_multiple(
            entry_key(&self.prefix, queue_id),
            &[("ticket", ticket.to_string()), ("user", user.to_string())],
        )
        .await
    }
}

impl TicketQueue for CountThenPush {
    fn new(conn: ConnectionManager, prefix: &str) -> Self {
        CountThenPush {
            conn,
            prefix: prefix.to_string(),
        }
    }

    // ANCHOR: naive
    async fn join(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let mut conn = self.conn.clone();
        let queue_id = owner_token();
        let waiting: u64 = conn.llen(queue_key(&self.prefix)).await?;
        think().await;
        let _: u64 = conn.rpush(queue_key(&self.prefix), &queue_id).await?;
        self.describe(&queue_id, ticket, user).await?;
        Ok(Joined {
            queue_id,
            position: waiting + 1,
        })
    }
    // ANCHOR_END: naive

    async fn position(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        self.lpos(queue_id).await
    }

    async fn next(&self) -> RedisResult<Option<Entry>> {
        self.pop().await
    }
}
