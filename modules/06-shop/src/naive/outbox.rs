//! 06.6, naive: the first outbox anybody writes. The event is written after
//! the order's commit, the relay marks a batch before publishing it and
//! asks for no confirms, and the consumer applies every delivery it gets.

use crate::outbox::{Outbox, OutboxError};
use crate::wrong::outbox::{Engine, Relay};
use lapin::Channel;
use sqlx::PgPool;

pub struct FirstDraft(Engine);

// ANCHOR: naive
impl Outbox for FirstDraft {
    fn new(pool: PgPool, queue: String) -> Self {
        FirstDraft(Engine {
            pool,
            queue,
            // The order, COMMIT, then its event.
            event_after_commit: true,
            // Mark the batch, COMMIT, then publish it, with no confirms.
            relay: Relay::MarkedThenPublished,
            // Apply whatever arrives.
            dedupe: false,
        })
    }
    // ANCHOR_END: naive

    async fn place_order(&self, item: &str, qty: i32) -> Result<i64, OutboxError> {
        self.0.place_order(item, qty).await
    }

    async fn relay_once(&self, channel: &Channel, batch: i64) -> Result<usize, OutboxError> {
        self.0.relay_once(channel, batch).await
    }

    async fn consume(&self, channel: Channel) -> Result<(), OutboxError> {
        self.0.consume(channel).await
    }
}
