//! Exercise 06.6: the transactional outbox. An order and the event that
//! announces it are written in one transaction (no order without its event,
//! no event without its order); a relay publishes the events to RabbitMQ
//! with publisher confirms and marks them published, so each is published
//! at least once; the consumer applies each event once, deduplicating by
//! its id in the transaction that applies it.

use lapin::Channel;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::future::Future;

/// The event, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct OrderPlaced {
    pub event_id: String,
    pub order_id: i64,
    pub qty: i32,
}

impl OrderPlaced {
    /// The message body.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a struct of strings and numbers serializes")
    }

    /// A message body back; anything else is an error, not a panic.
    pub fn from_json(body: &[u8]) -> Result<OrderPlaced, OutboxError> {
        serde_json::from_slice(body)
            .map_err(|e| OutboxError::BadMessage(format!("{e}: {}", String::from_utf8_lossy(body))))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("RabbitMQ error: {0}")]
    Amqp(#[from] lapin::Error),
    #[error("a message that is not an OrderPlaced event: {0}")]
    BadMessage(String),
}

/// The order service's outbox, its relay, and the consuming service.
pub trait Outbox: Send + Sync + 'static {
    /// Events go to `queue` (default exchange, routed by its name).
    fn new(pool: PgPool, queue: String) -> Self;

    /// Writes the order and its event (a row in `outbox`) in one
    /// transaction, and returns the order's id.
    fn place_order(
        &self,
        item: &str,
        qty: i32,
    ) -> impl Future<Output = Result<i64, OutboxError>> + Send;

    /// One round of the relay, on `channel`: publishes up to `batch`
    /// unpublished events, oldest first, each confirmed by the broker, and
    /// marks those confirmed as published. Returns how many it marked.
    fn relay_once(
        &self,
        channel: &Channel,
        batch: i64,
    ) -> impl Future<Output = Result<usize, OutboxError>> + Send;

    /// The consuming service: applies each event from the queue on
    /// `channel` to `sales_stats` once, whatever is delivered twice.
    /// Returns when the channel closes.
    fn consume(&self, channel: Channel) -> impl Future<Output = Result<(), OutboxError>> + Send;
}

/// The consumer's figures: orders and units applied.
pub async fn sales_stats(pool: &PgPool) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as("SELECT orders, units FROM sales_stats")
        .fetch_one(pool)
        .await
}
