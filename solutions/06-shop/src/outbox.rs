//! # 06.6 Transactional outbox (PostgreSQL + RabbitMQ)
//!
//! **The problem.** An order service writes the order, then publishes
//! "OrderPlaced" for the others. Two writes, to two systems: a crash
//! between them, or a broker that is down, and the order exists but nobody
//! hears of it. Publish first, and the others hear of orders that were
//! rolled back.
//!
//! **Your task.** `place_order`: the order and its event (a row in
//! `outbox`) in one transaction. `relay_once`: lock the oldest unpublished
//! events (`FOR UPDATE SKIP LOCKED`), publish each with a confirm, stop at
//! the first the broker refuses, and mark the confirmed ones published, in
//! that transaction. `consume`: for each delivery, in one transaction,
//! record its event id (`ON CONFLICT DO NOTHING`) and, only if it was new,
//! apply it to `sales_stats`; acknowledge after the commit.
//!
//! **The spec checks**, on real PostgreSQL and RabbitMQ: a failed event
//! insert leaves no order; with the relay killed after the broker confirmed
//! a batch and before it was marked, and again by a closed channel, and a
//! queue that refuses messages past 20, every one of 100 events is applied
//! exactly once.
//!
//! Run `cargo xtask test 06.6`; stuck? `cargo xtask hint 06.6`.

use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use racecourse_06::outbox::{OrderPlaced, Outbox, OutboxError};
use sqlx::PgPool;

pub struct PgOutbox {
    pool: PgPool,
    queue: String,
}

// ANCHOR: place_order
impl Outbox for PgOutbox {
    fn new(pool: PgPool, queue: String) -> Self {
        PgOutbox { pool, queue }
    }

    async fn place_order(&self, item: &str, qty: i32) -> Result<i64, OutboxError> {
        let mut tx = self.pool.begin().await?;
        let order: i64 = sqlx::query_scalar(
            "INSERT INTO outbox_orders (item, qty) VALUES ($1, $2) RETURNING id",
        )
        .bind(item)
        .bind(qty)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO outbox (order_id, qty) VALUES ($1, $2)")
            .bind(order)
            .bind(qty)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(order)
    }
    // ANCHOR_END: place_order

    // ANCHOR: relay
    async fn relay_once(&self, channel: &Channel, batch: i64) -> Result<usize, OutboxError> {
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        let mut tx = self.pool.begin().await?;
        let events: Vec<OrderPlaced> = sqlx::query_as(
            "SELECT event_id, order_id, qty FROM outbox WHERE published_at IS NULL
              ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        let mut confirmed = Vec::new();
        for event in events {
            let confirmation = channel
                .basic_publish(
                    "".into(),
                    self.queue.as_str().into(),
                    BasicPublishOptions::default(),
                    &event.to_json(),
                    BasicProperties::default().with_delivery_mode(2),
                )
                .await?
                .await?;
            if !confirmation.is_ack() {
                break;
            }
            confirmed.push(event.event_id);
        }
        sqlx::query("UPDATE outbox SET published_at = now() WHERE event_id = ANY($1)")
            .bind(&confirmed)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(confirmed.len())
    }
    // ANCHOR_END: relay

    // ANCHOR: consume
    async fn consume(&self, channel: Channel) -> Result<(), OutboxError> {
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
            let new = sqlx::query("INSERT INTO applied_events VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(&event.event_id)
                .execute(&mut *tx)
                .await?;
            if new.rows_affected() == 1 {
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
    // ANCHOR_END: consume
}
