//! 06.5, naive: the order processed in the request. Every buyer waits for
//! the work, and under a burst the API is as slow as the slowest part of it.

use crate::intake::{Accepted, Intake, IntakeError, Processor};
use lapin::Channel;
use sqlx::PgPool;
use std::sync::Arc;

pub struct ProcessInRequest {
    pool: PgPool,
}

// ANCHOR: naive
impl Intake for ProcessInRequest {
    fn new(pool: PgPool, _channel: Channel, _queue: String) -> Self {
        ProcessInRequest { pool }
    }

    async fn accept(&self, item: &str, qty: i32) -> Result<Accepted, IntakeError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO intake_orders (item, qty, status, processed) VALUES ($1, $2, 'DONE', 1)
             RETURNING id",
        )
        .bind(item)
        .bind(qty)
        .fetch_one(&self.pool)
        .await?;
        Ok(Accepted {
            id,
            status: "DONE".into(),
        })
    }
    // ANCHOR_END: naive

    async fn status(&self, id: i64) -> Result<Option<String>, IntakeError> {
        crate::wrong::intake::status(&self.pool, id).await
    }

    async fn work(&self, _channel: Channel, _processor: Arc<Processor>) -> Result<(), IntakeError> {
        Ok(())
    }
}
