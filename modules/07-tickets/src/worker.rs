//! Exercise 07.2: the worker that serves the queue. For each request it locks
//! the ticket in Redis, checks the ticket is still IN_QUEUE, and reserves it
//! for the user: RESERVED, in their cart, until the reservation expires.

use crate::clock::Clock;
use crate::queue::Entry;
use crate::tickets::BookingError;
use redis::aio::ConnectionManager;
use serde::Serialize;
use sqlx::PgPool;
use std::future::Future;
use std::time::Duration;

/// What serving one request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The ticket is the user's until `until_ms` (the clock's milliseconds).
    Reserved { until_ms: i64 },
    /// Someone else got the ticket first (it is no longer IN_QUEUE).
    Lost,
    /// Another worker holds the ticket's lock: try this request again later.
    Busy,
}

/// The worker's reserving step.
pub trait Reserver: Send + Sync + 'static {
    /// Reservations last `ttl` by `clock`; locks live under `prefix`
    /// ([`crate::tickets::lock_key`]) for at most [`crate::tickets::LOCK_TTL`].
    fn new(
        pool: PgPool,
        conn: ConnectionManager,
        prefix: &str,
        clock: Clock,
        ttl: Duration,
    ) -> Self;

    /// Serves one request: a ticket is reserved for at most one user, ever.
    fn reserve(&self, entry: &Entry) -> impl Future<Output = Result<Outcome, BookingError>> + Send;
}
