//! Exercise 07.1: the waiting line for tickets, a FIFO list in Redis. Whoever
//! joins gets their exact place in line, and the worker (07.2) serves the
//! line from the front.

use redis::RedisResult;
use redis::aio::ConnectionManager;
use serde::Serialize;
use std::future::Future;

/// What a user gets on joining: the id to ask about, and the place in line
/// (1 is next).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Joined {
    pub queue_id: String,
    pub position: u64,
}

/// One request in line: who wants which ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub queue_id: String,
    pub ticket: i64,
    pub user: String,
}

/// The queue, over Redis. Keys: [`crate::tickets::queue_key`] (a list of queue
/// ids) and [`crate::tickets::entry_key`] (a hash per entry: `ticket`, `user`).
pub trait TicketQueue: Send + Sync + 'static {
    /// A queue whose keys all start with `prefix`.
    fn new(conn: ConnectionManager, prefix: &str) -> Self;

    /// Puts a request for `ticket` by `user` at the back of the line and
    /// answers its exact position: no two joins get the same one, and the
    /// position answered is where the request really stands.
    fn join(&self, ticket: i64, user: &str) -> impl Future<Output = RedisResult<Joined>> + Send;

    /// Where `queue_id` stands now (1 is next), or `None` once it was served.
    fn position(&self, queue_id: &str) -> impl Future<Output = RedisResult<Option<u64>>> + Send;

    /// Takes the request at the front of the line, or `None` when it is empty.
    fn next(&self) -> impl Future<Output = RedisResult<Option<Entry>>> + Send;
}
