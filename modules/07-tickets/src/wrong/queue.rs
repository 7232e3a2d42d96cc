//! 07.1's fixes that almost work. They share the naive queue's right steps
//! ([`CountThenPush`]: write the entry, LPOS, pop) and [`push`]; each joins
//! the line in its own wrong way, and one answers the position its own way
//! too.

use crate::naive::queue::CountThenPush;
use crate::queue::{Entry, Joined, TicketQueue};
use crate::tickets::{entry_key, owner_token, queue_key};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult};

/// RPUSHes `queue_id`: the answer is the line's new length.
async fn push(line: &CountThenPush, queue_id: &str) -> RedisResult<u64> {
    line.conn
        .clone()
        .rpush(queue_key(&line.prefix), queue_id)
        .await
}

/// Each wrong fix is a [`CountThenPush`] with a `join` of its own (`enter`)
/// and a `position` (`stands_at`): this makes them [`TicketQueue`]s.
macro_rules! queues_over_steps {
    ($($name:ident),*) => {$(
        pub struct $name(CountThenPush);

        impl TicketQueue for $name {
            fn new(conn: ConnectionManager, prefix: &str) -> Self {
                $name(CountThenPush::new(conn, prefix))
            }

            async fn join(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
                self.enter(ticket, user).await
            }

            async fn position(&self, queue_id: &str) -> RedisResult<Option<u64>> {
                self.stands_at(queue_id).await
            }

            async fn next(&self) -> RedisResult<Option<Entry>> {
                self.0.pop().await
            }
        }
    )*};
}

queues_over_steps!(
    PushThenCount,
    CounterThenPush,
    StoredPosition,
    PushThenDescribe
);

/// The right position, LPOS, for the wrong fixes that get the join wrong.
macro_rules! right_position {
    ($($name:ident),*) => {$(
        impl $name {
            async fn stands_at(&self, queue_id: &str) -> RedisResult<Option<u64>> {
                self.0.lpos(queue_id).await
            }
        }
    )*};
}

right_position!(PushThenCount, CounterThenPush, PushThenDescribe);

// ANCHOR: push_then_count
/// Push first, then count: the count includes every request pushed after
/// this one and before the LLEN. Two joins, RPUSH, RPUSH, LLEN, LLEN: both
/// are told position 2.
impl PushThenCount {
    async fn enter(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let queue_id = owner_token();
        push(&self.0, &queue_id).await?;
        let position: u64 = self.0.conn.clone().llen(queue_key(&self.0.prefix)).await?;
        self.0.describe(&queue_id, ticket, user).await?;
        Ok(Joined { queue_id, position })
    }
}
// ANCHOR_END: push_then_count

// ANCHOR: counter_then_push
/// A ticket number from INCR, then the push: the numbers are unique, but the
/// list's order is the order of the pushes. Ann INCRs (1), Bob INCRs (2) and
/// pushes, Ann pushes: Ann was told 1 and stands second.
impl CounterThenPush {
    async fn enter(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let queue_id = owner_token();
        let counter = format!("{}counter", self.0.prefix);
        let position: u64 = self.0.conn.clone().incr(counter, 1).await?;
        push(&self.0, &queue_id).await?;
        self.0.describe(&queue_id, ticket, user).await?;
        Ok(Joined { queue_id, position })
    }
}
// ANCHOR_END: counter_then_push

// ANCHOR: stored_position
/// The right join, but the position is stored with the entry and answered
/// from there: it never moves up as the line is served.
impl StoredPosition {
    async fn enter(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let queue_id = owner_token();
        self.0.describe(&queue_id, ticket, user).await?;
        let position = push(&self.0, &queue_id).await?;
        let _: () = self
            .0
            .conn
            .clone()
            .hset(entry_key(&self.0.prefix, &queue_id), "position", position)
            .await?;
        Ok(Joined { queue_id, position })
    }

    async fn stands_at(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        if self.0.lpos(queue_id).await?.is_none() {
            return Ok(None);
        }
        let mut conn = self.0.conn.clone();
        conn.hget(entry_key(&self.0.prefix, queue_id), "position")
            .await
    }
}
// ANCHOR_END: stored_position

// ANCHOR: push_then_describe
/// RPUSH answers the position, right; but the id goes in line before its
/// entry is written. A worker that pops it in between finds no ticket and no
/// user, and the request is lost.
impl PushThenDescribe {
    async fn enter(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let queue_id = owner_token();
        let position = push(&self.0, &queue_id).await?;
        self.0.describe(&queue_id, ticket, user).await?;
        Ok(Joined { queue_id, position })
    }
}
// ANCHOR_END: push_then_describe
