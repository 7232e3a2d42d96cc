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

use lapin::Channel;
use racecourse_06::intake::{Accepted, Intake, IntakeError, Processor};
use sqlx::PgPool;
use std::sync::Arc;

pub struct QueuedIntake {
    pool: PgPool,
    channel: Channel,
    queue: String,
}

impl Intake for QueuedIntake {
    fn new(pool: PgPool, channel: Channel, queue: String) -> Self {
        QueuedIntake {
            pool,
            channel,
            queue,
        }
    }

    async fn accept(&self, item: &str, qty: i32) -> Result<Accepted, IntakeError> {
        let (_pool, _channel, _queue) = (&self.pool, &self.channel, &self.queue);
        todo!("06.5 exercises/06-shop/src/intake.rs: QueuedIntake::accept({item}, {qty})")
    }

    async fn status(&self, id: i64) -> Result<Option<String>, IntakeError> {
        todo!("06.5 exercises/06-shop/src/intake.rs: QueuedIntake::status({id})")
    }

    async fn work(&self, channel: Channel, processor: Arc<Processor>) -> Result<(), IntakeError> {
        let _ = (channel, processor);
        todo!("06.5 exercises/06-shop/src/intake.rs: QueuedIntake::work")
    }
}
