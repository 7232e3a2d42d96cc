//! 06.5: intakes that almost work. They accept right (write, publish with a
//! confirm, answer QUEUED); their workers consume the queue in one of three
//! wrong ways ([`Ack`], and the prefetch left unset).

use crate::intake::{Accepted, Intake, IntakeError, PREFETCH, Processor};
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use sqlx::PgPool;
use std::sync::Arc;

pub(crate) async fn status(pool: &PgPool, id: i64) -> Result<Option<String>, IntakeError> {
    Ok(
        sqlx::query_scalar("SELECT status FROM intake_orders WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The right accept: the order written, its id published and confirmed.
async fn accept(
    pool: &PgPool,
    channel: &Channel,
    queue: &str,
    item: &str,
    qty: i32,
) -> Result<Accepted, IntakeError> {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO intake_orders (item, qty) VALUES ($1, $2) RETURNING id")
            .bind(item)
            .bind(qty)
            .fetch_one(pool)
            .await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    channel
        .basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions::default(),
            id.to_string().as_bytes(),
            BasicProperties::default(),
        )
        .await?
        .await?;
    Ok(Accepted {
        id,
        status: "QUEUED".into(),
    })
}

/// When a worker acknowledges a delivery.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ack {
    /// After processing succeeded; a failure is requeued: right.
    AfterSuccess,
    /// On receipt, before processing.
    OnReceipt,
    /// After processing, whatever its outcome.
    AfterAnyOutcome,
}

/// A worker that consumes `queue` with or without the prefetch, and
/// acknowledges as `ack` says.
async fn work(
    queue: &str,
    channel: Channel,
    processor: Arc<Processor>,
    prefetch: bool,
    ack: Ack,
) -> Result<(), IntakeError> {
    if prefetch {
        channel
            .basic_qos(PREFETCH, BasicQosOptions::default())
            .await?;
    }
    let mut deliveries = channel
        .basic_consume(
            queue.into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    while let Some(delivery) = deliveries.next().await {
        let delivery = delivery?;
        let text = String::from_utf8_lossy(&delivery.data).into_owned();
        let id: i64 = text.parse().map_err(|_| IntakeError::BadMessage(text))?;
        if ack == Ack::OnReceipt {
            delivery.ack(BasicAckOptions::default()).await?;
        }
        let processor = processor.clone();
        tokio::spawn(async move {
            let outcome = processor.process(id).await;
            let _ = match (ack, outcome) {
                (Ack::OnReceipt, _) => Ok(true),
                (Ack::AfterSuccess, Err(_)) => {
                    let requeue = BasicNackOptions {
                        requeue: true,
                        ..BasicNackOptions::default()
                    };
                    delivery.nack(requeue).await
                }
                _ => delivery.ack(BasicAckOptions::default()).await,
            };
        });
    }
    Ok(())
}

/// An intake with the right accept and a worker with these knobs.
macro_rules! intake {
    ($(#[$doc:meta])* $name:ident, prefetch: $prefetch:expr, ack: $ack:expr) => {
        $(#[$doc])*
        pub struct $name {
            pool: PgPool,
            channel: Channel,
            queue: String,
        }

        impl Intake for $name {
            fn new(pool: PgPool, channel: Channel, queue: String) -> Self {
                $name {
                    pool,
                    channel,
                    queue,
                }
            }

            async fn accept(&self, item: &str, qty: i32) -> Result<Accepted, IntakeError> {
                accept(&self.pool, &self.channel, &self.queue, item, qty).await
            }

            async fn status(&self, id: i64) -> Result<Option<String>, IntakeError> {
                status(&self.pool, id).await
            }

            async fn work(
                &self,
                channel: Channel,
                processor: Arc<Processor>,
            ) -> Result<(), IntakeError> {
                work(&self.queue, channel, processor, $prefetch, $ack).await
            }
        }
    };
}

// ANCHOR: ack_first
intake!(
    /// Acknowledged on receipt, processed after. RabbitMQ forgets the order
    /// the moment it is acknowledged: a worker that dies while processing
    /// takes it with it. And with nothing unacknowledged, the prefetch
    /// bounds nothing: the worker takes the whole queue at once.
    AckFirst, prefetch: true, ack: Ack::OnReceipt);
// ANCHOR_END: ack_first

// ANCHOR: no_prefetch
intake!(
    /// Acknowledged after processing, but no prefetch: RabbitMQ pushes the
    /// whole queue to the first worker, which starts all of it at once. The
    /// rate is bounded by nothing, and the other workers get nothing.
    NoPrefetch, prefetch: false, ack: Ack::AfterSuccess);
// ANCHOR_END: no_prefetch

// ANCHOR: ack_on_failure
intake!(
    /// Acknowledged after processing, success or not: an order whose
    /// processing failed (the worker crashed) is acknowledged all the same,
    /// and never processed.
    AckOnFailure, prefetch: true, ack: Ack::AfterAnyOutcome);
// ANCHOR_END: ack_on_failure
