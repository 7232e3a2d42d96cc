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
use redis::RedisResult;
use redis::aio::ConnectionManager;

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

    async fn join(&self, ticket: i64, user: &str) -> RedisResult<Joined> {
        let (_conn, _prefix) = (&self.conn, &self.prefix);
        todo!("07.1 exercises/07-tickets/src/queue.rs: RedisQueue::join({ticket}, {user})")
    }

    async fn position(&self, queue_id: &str) -> RedisResult<Option<u64>> {
        todo!("07.1 exercises/07-tickets/src/queue.rs: RedisQueue::position({queue_id})")
    }

    async fn next(&self) -> RedisResult<Option<Entry>> {
        todo!("07.1 exercises/07-tickets/src/queue.rs: RedisQueue::next")
    }
}
