//! # 07.1 The waiting line (Redis)
//!
//! **The race.** Fifty fans press "Book" in the same second. A join that
//! counts the line (`LLEN`) and then adds to it (`RPUSH`) gives two of them
//! the same place, and a position kept apart from the list drifts from where
//! the request really stands.
//!
//! **Your task.** `join`: write the entry's hash (`HSET entry_key ticket ..
//! user ..`), then add its queue id to the list with `RPUSH`, whose answer,
//! the list's new length, is the exact position. `position`: `LPOS` (plus
//! one), `None` when absent. `next`: `LPOP` the front id and read its hash.
//!
//! **The spec checks**, on a real Redis: 50 joins at once get positions 1 to
//! 50, each where it stands, served in that order (three rounds); positions
//! move up as the line is served; a join paused between two of its commands
//! while another joins still gets an exact position.
//!
//! Run `cargo xtask test 07.1`; stuck? `cargo xtask hint 07.1`.

use racecourse_07::queue::{Entry, Joined, TicketQueue};
use racecourse_07::tickets::{entry_key, owner_token, queue_key};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult};

pub struct RedisQueue {
    conn: ConnectionManager,
    prefix: String,
}

impl TicketQueue for RedisQueue {
    fn new(conn: ConnectionManager, prefix: &str) -> Self {
        RedisQueue {
            conn,
            prefix: prefix.to_string(),
        }
    }

    // ANCHOR: join
    async fn join(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let mut conn = self.conn.clone();
        let queue_id = owner_token();
        // The entry first: whoever pops its id finds the hash already there.
        let _: () = conn
            .hset_multiple(
                entry_key(&self.prefix, &queue_id),
                &[("ticket", ticket.to_string()), ("user", user.to_string())],
            )
            .await?;
        // RPUSH answers the list's new length: where this id now stands.
        let position: u64 = conn.rpush(queue_key(&self.prefix), &queue_id).await?;
        Ok(Joined { queue_id, position })
    }
    // ANCHOR_END: join

    async fn position(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        let mut conn = self.conn.clone();
        let index: Option<u64> = redis::cmd("LPOS")
            .arg(queue_key(&self.prefix))
            .arg(queue_id)
            .query_async(&mut conn)
            .await?;
        Ok(index.map(|i| i + 1))
    }

    async fn next(&self) -> RedisResult<Option<Entry>> {
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
}
