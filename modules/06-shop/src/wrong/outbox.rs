//! 06.6: outboxes that almost work. They share one engine ([`Engine`]) with
//! three knobs: where the event is written, how the relay publishes and
//! marks, and whether the consumer deduplicates. Each wrong fix turns one.

use crate::outbox::{OrderPlaced, Outbox, OutboxError};
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, PublisherConfirm};
use sqlx::PgPool;

/// How the relay publishes and marks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relay {
    /// Publish with confirms, stop at a nack, mark the confirmed: right.
    ConfirmedThenMarked,
    /// Mark the batch published and commit, then publish it.
    MarkedThenPublished,
    /// Publish without confirms, then mark the batch.
    Unconfirmed,
}

pub(crate) struct Engine {
    pub(crate) pool: PgPool,
    pub(crate) queue: String,
    /// The order committed first, its event written after.
    pub(crate) event_after_commit: bool,
    pub(crate) relay: Relay,
    pub(crate) dedupe: bool,
}

impl Engine {
    pub(crate) async fn place_order(&self, item: &str, qty: i32) -> Result<i64, OutboxError> {
        let mut tx = self.pool.begin().await?;
        let order: i64 = sqlx::query_scalar(
            "INSERT INTO outbox_orders (item, qty) VALUES ($1, $2) RETURNING id",
        )
        .bind(item)
        .bind(qty)
        .fetch_one(&mut *tx)
        .await?;
        if self.event_after_commit {
            tx.commit().await?;
            tx = self.pool.begin().await?;
        }
        sqlx::query("INSERT INTO outbox (order_id, qty) VALUES ($1, $2)")
            .bind(order)
            .bind(qty)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(order)
    }

    pub(crate) async fn relay_once(
        &self,
        channel: &Channel,
        batch: i64,
    ) -> Result<usize, OutboxError> {
        if self.relay == Relay::ConfirmedThenMarked {
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
        }
        let mut tx = self.pool.begin().await?;
        let events: Vec<OrderPlaced> = sqlx::query_as(
            "SELECT event_id, order_id, qty FROM outbox WHERE published_at IS NULL
              ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        let mark = |ids: Vec<String>| {
            sqlx::query("UPDATE outbox SET published_at = now() WHERE event_id = ANY($1)").bind(ids)
        };
        if self.relay == Relay::MarkedThenPublished {
            mark(events.iter().map(|e| e.event_id.clone()).collect())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            for event in &events {
                self.publish(channel, event).await?;
            }
            return Ok(events.len());
        }
        let mut confirmed = Vec::new();
        for event in &events {
            let publish = self.publish(channel, event).await?;
            if self.relay == Relay::ConfirmedThenMarked && !publish.await?.is_ack() {
                break;
            }
            confirmed.push(event.event_id.clone());
        }
        mark(confirmed.clone()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(confirmed.len())
    }

    async fn publish(
        &self,
        channel: &Channel,
        event: &OrderPlaced,
    ) -> lapin::Result<PublisherConfirm> {
        channel
            .basic_publish(
                "".into(),
                self.queue.as_str().into(),
                BasicPublishOptions::default(),
                &event.to_json(),
                BasicProperties::default(),
            )
            .await
    }

    pub(crate) async fn consume(&self, channel: Channel) -> Result<(), OutboxError> {
        let mut deliveries = channel
            .basic_consume(
                self.queue.as_str().into(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        while let Some(delivery) = deliveries.next().await {
            let delivery = delivery?;
            let event = OrderPlaced::from_json(&delivery.data)?;
            let mut tx = self.pool.begin().await?;
            let new = if self.dedupe {
                sqlx::query("INSERT INTO applied_events VALUES ($1) ON CONFLICT DO NOTHING")
                    .bind(&event.event_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1
            } else {
                true
            };
            if new {
                sqlx::query("UPDATE sales_stats SET orders = orders + 1, units = units + $1")
                    .bind(i64::from(event.qty))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            delivery.ack(BasicAckOptions::default()).await?;
        }
        Ok(())
    }
}

/// An outbox on the engine, with its knobs.
macro_rules! outbox {
    ($(#[$doc:meta])* $name:ident, event_after_commit: $after:expr, relay: $relay:expr, dedupe: $dedupe:expr) => {
        $(#[$doc])*
        pub struct $name(Engine);

        impl Outbox for $name {
            fn new(pool: PgPool, queue: String) -> Self {
                $name(Engine {
                    pool,
                    queue,
                    event_after_commit: $after,
                    relay: $relay,
                    dedupe: $dedupe,
                })
            }

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
    };
}

// ANCHOR: event_after_commit
outbox!(
    /// The order committed, then its event written: a crash between the two
    /// (here, the event's insert fails) leaves an order nobody hears of.
    EventAfterCommit, event_after_commit: true, relay: Relay::ConfirmedThenMarked, dedupe: true);
// ANCHOR_END: event_after_commit

// ANCHOR: marked_then_published
outbox!(
    /// The batch marked published and committed, then published: a relay
    /// that dies between the two (here, its channel is closed) has marked
    /// events nobody will ever publish.
    MarkedThenPublished, event_after_commit: false, relay: Relay::MarkedThenPublished, dedupe: true);
// ANCHOR_END: marked_then_published

// ANCHOR: unconfirmed
outbox!(
    /// Published without confirms, then marked: `basic_publish` returns when
    /// the message is on its way, not when the broker has it. A full queue
    /// (or a broker that fails over) drops it, and it is marked all the same.
    Unconfirmed, event_after_commit: false, relay: Relay::Unconfirmed, dedupe: true);
// ANCHOR_END: unconfirmed

// ANCHOR: no_dedupe
outbox!(
    /// Every delivery applied. The relay is at least once: a batch the broker
    /// confirmed and the relay died before marking is published again, and
    /// its orders are counted twice.
    NoDedupe, event_after_commit: false, relay: Relay::ConfirmedThenMarked, dedupe: false);
// ANCHOR_END: no_dedupe
