//! 07.1's fixes that almost work.

use crate::naive::queue::CountThenPush;
use crate::queue::{Entry, Joined, TicketQueue};
use crate::tickets::{entry_key, owner_token, queue_key};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult};

// ANCHOR: push_then_count
/// Push first, then count: the count includes every request pushed after
/// this one and before the LLEN. Two joins, RPUSH, RPUSH, LLEN, LLEN: both
/// are told position 2.
pub struct PushThenCount(CountThenPush);

impl TicketQueue for PushThenCount {
    fn new(conn: ConnectionManager, prefix: &str) -> Self {
        PushThenCount(CountThenPush::new(conn, prefix))
    }

    async fn join(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let mut conn = self.0.conn.clone();
        let queue_id = owner_token();
        let _: u64 = conn.rpush(queue_key(&self.0.prefix), &queue_id).await?;
        let position: u64 = conn.llen(queue_key(&self.0.prefix)).await?;
        self.0.describe(&queue_id, ticket, user).await?;
        Ok(Joined { queue_id, position })
    }
    // ANCHOR_END: push_then_count

    async fn position(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        self.0.lpos(queue_id).await
    }

    async fn next(&self) -> RedisResult<Option<Entry>> {
        self.0.pop().await
    }
}

// ANCHOR: counter_then_push
/// A ticket number from INCR, then the push: the numbers are unique, but the
/// list's order is the order of the pushes. Ann INCRs (1), Bob INCRs (2) and
/// pushes, Ann pushes: Ann was told 1 and stands second.
pub struct CounterThenPush(CountThenPush);

impl TicketQueue for CounterThenPush {
    fn new(conn: ConnectionManager, prefix: &str) -> Self {
        CounterThenPush(CountThenPush::new(conn, prefix))
    }

    async fn join(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let mut conn = self.0.conn.clone();
        let queue_id = owner_token();
        let position: u64 = conn.incr(format!("{}counter", self.0.prefix), 1).await?;
        let _: u64 = conn.rpush(queue_key(&self.0.prefix), &queue_id).await?;
        self.0.describe(&queue_id, ticket, user).await?;
        Ok(Joined { queue_id, position })
    }
    // ANCHOR_END: counter_then_push

    async fn position(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        self.0.lpos(queue_id).await
    }

    async fn next(&self) -> RedisResult<Option<Entry>> {
        self.0.pop().await
    }
}

// ANCHOR: stored_position
/// The right join, but the position is stored with the entry and answered
/// from there: it never moves up as the line is served.
pub struct StoredPosition(CountThenPush);

impl TicketQueue for StoredPosition {
    fn new(conn: ConnectionManager, prefix: &str) -> Self {
        StoredPosition(CountThenPush::new(conn, prefix))
    }

    async fn join(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let mut conn = self.0.conn.clone();
        let queue_id = owner_token();
        self.0.describe(&queue_id, ticket, user).await?;
        let position: u64 = conn.rpush(queue_key(&self.0.prefix), &queue_id).await?;
        let _: () = conn
            .hset(entry_key(&self.0.prefix, &queue_id), "position", position)
            .await?;
        Ok(Joined { queue_id, position })
    }

    async fn position(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        if self.0.lpos(queue_id).await?.is_none() {
            return Ok(None);
        }
        let mut conn = self.0.conn.clone();
        conn.hget(entry_key(&self.0.prefix, queue_id), "position")
            .await
    }
    // ANCHOR_END: stored_position

    async fn next(&self) -> RedisResult<Option<Entry>> {
        self.0.pop().await
    }
}

// ANCHOR: push_then_describe
/// RPUSH answers the position, right; but the id goes in line before its
/// entry is written. A worker that pops it in between finds no ticket and no
/// user, and the request is lost.
pub struct PushThenDescribe(CountThenPush);

impl TicketQueue for PushThenDescribe {
    fn new(conn: ConnectionManager, prefix: &str) -> Self {
        PushThenDescribe(CountThenPush::new(conn, prefix))
    }

    async fn join(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let mut conn = self.0.conn.clone();
        let queue_id = owner_token();
        let position: u64 = conn.rpush(queue_key(&self.0.prefix), &queue_id).await?;
        self.0.describe(&queue_id, ticket, user).await?;
        Ok(Joined { queue_id, position })
    }
    // ANCHOR_END: push_then_describe

    async fn position(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        self.0.lpos(queue_id).await
    }

    async fn next(&self) -> RedisResult<Option<Entry>> {
        self.0.pop().await
    }
}
