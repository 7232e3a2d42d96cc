//! Exercise 06.5: accept now, process later. The order API writes the order
//! as QUEUED, publishes its id to a RabbitMQ queue and answers at once (202);
//! workers consume the queue and process at a bounded rate, as many orders
//! at a time as their prefetch allows, acknowledging each once it is done.

use lapin::Channel;
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// How many orders one worker may hold unacknowledged, and so process at a
/// time: its `basic_qos` prefetch count.
pub const PREFETCH: u16 = 8;

/// What the API answers: the order's id and its status, QUEUED.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub id: i64,
    pub status: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("RabbitMQ error: {0}")]
    Amqp(#[from] lapin::Error),
    #[error("a message that is not an order id: {0:?}")]
    BadMessage(String),
}

/// The order API and its workers.
pub trait Intake: Send + Sync + 'static {
    /// Orders go to `queue` (on the default exchange, routed by its name),
    /// published on `channel`.
    fn new(pool: PgPool, channel: Channel, queue: String) -> Self;

    /// Writes the order (QUEUED), publishes its id, and answers.
    fn accept(
        &self,
        item: &str,
        qty: i32,
    ) -> impl Future<Output = Result<Accepted, IntakeError>> + Send;

    /// The order's status, or `None` for an unknown id.
    fn status(&self, id: i64) -> impl Future<Output = Result<Option<String>, IntakeError>> + Send;

    /// A worker: consumes the queue on `channel`, hands each order id to
    /// `processor`, and acknowledges it when processed. Returns when the
    /// channel closes.
    fn work(
        &self,
        channel: Channel,
        processor: Arc<Processor>,
    ) -> impl Future<Output = Result<(), IntakeError>> + Send;
}

/// Why processing did not finish.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The worker's process died: the work in flight is lost.
    #[error("the worker crashed")]
    Crashed,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// The slow part: what a worker does with an order (here: mark it DONE,
/// after `work_time`). It counts the orders in its hands, and the spec can
/// hold it shut (nothing finishes until the gate opens) or crash it.
pub struct Processor {
    pool: PgPool,
    work_time: Duration,
    gate: watch::Receiver<bool>,
    crashed: AtomicBool,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

impl Processor {
    /// A processor on `pool` that waits until `gate` is true before it
    /// finishes any order.
    pub fn new(pool: PgPool, work_time: Duration, gate: watch::Receiver<bool>) -> Processor {
        Processor {
            pool,
            work_time,
            gate,
            crashed: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
        }
    }

    /// Processes order `id`: idempotent, so an order processed again after
    /// a crash stays DONE.
    pub async fn process(&self, id: i64) -> Result<(), ProcessError> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let result = self.work(id).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }

    async fn work(&self, id: i64) -> Result<(), ProcessError> {
        let mut gate = self.gate.clone();
        let _ = gate.wait_for(|open| *open).await;
        tokio::time::sleep(self.work_time).await;
        if self.crashed.load(Ordering::SeqCst) {
            return Err(ProcessError::Crashed);
        }
        sqlx::query(
            "UPDATE intake_orders SET status = 'DONE', processed = processed + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// From now on, every order in its hands fails with `Crashed`.
    pub fn crash(&self) {
        self.crashed.store(true, Ordering::SeqCst);
    }

    /// Orders in its hands now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// The most orders it held at once.
    pub fn most_in_flight(&self) -> usize {
        self.most_in_flight.load(Ordering::SeqCst)
    }
}

/// Orders by status: QUEUED, DONE.
pub async fn intake_counts(pool: &PgPool) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'QUEUED'), count(*) FILTER (WHERE status = 'DONE')
           FROM intake_orders",
    )
    .fetch_one(pool)
    .await
}
