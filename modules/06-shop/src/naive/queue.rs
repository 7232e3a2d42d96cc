//! 06.3, naive: look for the next jobs, then mark them taken. Two workers
//! that look at the same moment find the same jobs, and both send them.

use crate::queue::{Job, Queue, QueueConfig};
use crate::think;
use crate::wrong::queue::{RIGHT_DEATH, RIGHT_FAIL_HOLDER, RIGHT_HOLDER, complete, fail};
use sqlx::PgPool;

pub struct SelectThenMark {
    pool: PgPool,
    config: QueueConfig,
}

// ANCHOR: naive
impl Queue for SelectThenMark {
    fn new(pool: PgPool, config: QueueConfig) -> Self {
        SelectThenMark { pool, config }
    }

    async fn claim(&self, batch: i64) -> sqlx::Result<Vec<Job>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM email_jobs
              WHERE state = 'queued' AND run_at <= now()
                AND (leased_until IS NULL OR leased_until <= now())
              ORDER BY id LIMIT $1",
        )
        .bind(batch)
        .fetch_all(&self.pool)
        .await?;
        think().await;
        sqlx::query_as(
            "UPDATE email_jobs
                SET attempts = attempts + 1, leased_until = now() + make_interval(secs => $2)
              WHERE id = ANY($1) RETURNING id, recipient, attempts",
        )
        .bind(&ids)
        .bind(self.config.lease.as_secs_f64())
        .fetch_all(&self.pool)
        .await
    }
    // ANCHOR_END: naive

    async fn complete(&self, jobs: &[Job]) -> sqlx::Result<()> {
        complete(&self.pool, jobs, RIGHT_HOLDER).await
    }

    async fn fail(&self, job: &Job, error: &str) -> sqlx::Result<()> {
        fail(
            &self.pool,
            &self.config,
            job,
            error,
            RIGHT_FAIL_HOLDER,
            RIGHT_DEATH,
            true,
        )
        .await
    }
}
