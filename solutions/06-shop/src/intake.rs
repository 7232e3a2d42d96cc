//! # 06.5 Accept now, process later (PostgreSQL + RabbitMQ)
//!
//! **The problem.** 1000 orders arrive in a second; processing one takes a
//! while (stock, payment, emails). An API that processes in the request
//! makes every buyer wait, times out under load, and falls over exactly when
//! the shop is busiest. Take the order, queue it, answer at once; let
//! workers process at the rate they can.
//!
//! **Your task.** `accept`: insert the order (QUEUED), publish its id to the
//! queue (default exchange, routing key = the queue's name) and wait for the
//! broker's confirm, then answer. `status`: the order's status. `work`: set
//! the channel's prefetch to `PREFETCH` (`basic_qos`), consume the queue,
//! and for each delivery spawn the processing; acknowledge after it
//! succeeded, and `nack` with requeue when it failed.
//!
//! **The spec checks**, on real PostgreSQL and RabbitMQ: 1000 orders at once,
//! with processing held shut, are all answered QUEUED; then 2 workers
//! process them all, never holding more than 2 x PREFETCH at once; a worker
//! that dies with orders in hand loses none of them.
//!
//! Run `cargo xtask test 06.5`; stuck? `cargo xtask hint 06.5`.

use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use racecourse_06::intake::{Accepted, Intake, IntakeError, PREFETCH, Processor};
use sqlx::PgPool;
use std::sync::Arc;

pub struct QueuedIntake {
    pool: PgPool,
    channel: Channel,
    queue: String,
}

// ANCHOR: accept
impl Intake for QueuedIntake {
    fn new(pool: PgPool, channel: Channel, queue: String) -> Self {
        QueuedIntake {
            pool,
            channel,
            queue,
        }
    }

    async fn accept(&self, item: &str, qty: i32) -> Result<Accepted, IntakeError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO intake_orders (item, qty) VALUES ($1, $2) RETURNING id",
        )
        .bind(item)
        .bind(qty)
        .fetch_one(&self.pool)
        .await?;
        // Idempotent: the first call turns the channel's confirms on.
        self.channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        self.channel
            .basic_publish(
                "".into(),
                self.queue.as_str().into(),
                BasicPublishOptions::default(),
                id.to_string().as_bytes(),
                BasicProperties::default().with_delivery_mode(2),
            )
            .await?
            .await?;
        Ok(Accepted {
            id,
            status: "QUEUED".into(),
        })
    }
    // ANCHOR_END: accept

    async fn status(&self, id: i64) -> Result<Option<String>, IntakeError> {
        let status = sqlx::query_scalar("SELECT status FROM intake_orders WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(status)
    }

    // ANCHOR: work
    async fn work(&self, channel: Channel, processor: Arc<Processor>) -> Result<(), IntakeError> {
        channel
            .basic_qos(PREFETCH, BasicQosOptions::default())
            .await?;
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
            let text = String::from_utf8_lossy(&delivery.data).into_owned();
            let id: i64 = text.parse().map_err(|_| IntakeError::BadMessage(text))?;
            let processor = processor.clone();
            tokio::spawn(async move {
                // Acknowledged only once done: a worker that dies first
                // leaves the order unacknowledged, and RabbitMQ gives it to
                // another. A failure goes back to the queue.
                let _ = match processor.process(id).await {
                    Ok(()) => delivery.ack(BasicAckOptions::default()).await,
                    Err(_) => {
                        let requeue = BasicNackOptions {
                            requeue: true,
                            ..BasicNackOptions::default()
                        };
                        delivery.nack(requeue).await
                    }
                };
            });
        }
        Ok(())
    }
    // ANCHOR_END: work
}
