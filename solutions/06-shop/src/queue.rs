//! # 06.3 Email queue (PostgreSQL): SKIP LOCKED, leases, backoff, dead letters
//!
//! **The race.** Workers that `SELECT` the next jobs and then mark them
//! taken both take the same jobs: emails sent twice. Workers that lock with a
//! plain `FOR UPDATE` queue behind each other. A job marked "taken" with no
//! end to it is lost when its worker crashes; a failed job retried at once
//! hammers a mail server that is already down.
//!
//! **Your task.** `claim`: one statement that leases up to `batch` due jobs
//! (`state = 'queued'`, `run_at <= now()`, no lease or a lease in the past),
//! chosen with `FOR UPDATE SKIP LOCKED`, counting an attempt each.
//! `complete`: the delivered jobs `done`, in one statement, only those whose
//! lease is still the worker's (`id` and `attempts` as claimed). `fail`:
//! `dead` after `max_attempts` attempts, else back to the queue with
//! `run_at` one backoff away (`backoff * 2^(n-1)`), only if the job is still
//! `queued` under the worker's lease, as in `complete`.
//!
//! **The spec checks**, on a real PostgreSQL: a claim passes over locked and
//! leased jobs; a crashed worker's jobs come back after the lease, not
//! before; a late worker's completion, or failure, leaves the jobs another
//! worker has claimed since; a failing job waits its backoff and dies after
//! `max_attempts`; 1000 jobs, 4 workers, 8 dropped batches: each delivered
//! once, the dead letters exactly the jobs that always fail.
//!
//! Run `cargo xtask test 06.3`; stuck? `cargo xtask hint 06.3`.

use racecourse_06::queue::{Job, Queue, QueueConfig};
use sqlx::PgPool;

pub struct PgQueue {
    pool: PgPool,
    config: QueueConfig,
}

// ANCHOR: queue
impl Queue for PgQueue {
    fn new(pool: PgPool, config: QueueConfig) -> Self {
        PgQueue { pool, config }
    }

    async fn claim(&self, batch: i64) -> sqlx::Result<Vec<Job>> {
        sqlx::query_as(
            "UPDATE email_jobs
                SET attempts = attempts + 1,
                    leased_until = now() + make_interval(secs => $2)
              WHERE id IN (
                    SELECT id FROM email_jobs
                     WHERE state = 'queued' AND run_at <= now()
                       AND (leased_until IS NULL OR leased_until <= now())
                     ORDER BY id
                     LIMIT $1
                       FOR UPDATE SKIP LOCKED)
             RETURNING id, recipient, attempts",
        )
        .bind(batch)
        .bind(self.config.lease.as_secs_f64())
        .fetch_all(&self.pool)
        .await
    }

    async fn complete(&self, jobs: &[Job]) -> sqlx::Result<()> {
        let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
        let attempts: Vec<i32> = jobs.iter().map(|j| j.attempts).collect();
        // A claim since this worker's counted an attempt: a job whose
        // attempts moved on is another worker's now.
        sqlx::query(
            "UPDATE email_jobs SET state = 'done', leased_until = NULL
               FROM unnest($1::bigint[], $2::int[]) AS mine(id, attempts)
              WHERE email_jobs.id = mine.id AND email_jobs.attempts = mine.attempts",
        )
        .bind(ids)
        .bind(attempts)
        .execute(&self.pool)
        .await
        .map(drop)
    }

    async fn fail(&self, job: &Job, error: &str) -> sqlx::Result<()> {
        // The same lease test as `complete`'s, on a job not yet done: a late
        // failure leaves alone the job another worker has claimed since.
        sqlx::query(
            "UPDATE email_jobs
                SET state = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'queued' END,
                    run_at = now() + make_interval(secs => $4 * power(2, attempts - 1)),
                    leased_until = NULL,
                    last_error = $5
              WHERE id = $1 AND attempts = $2 AND state = 'queued'",
        )
        .bind(job.id)
        .bind(job.attempts)
        .bind(self.config.max_attempts)
        .bind(self.config.backoff.as_secs_f64())
        .bind(error)
        .execute(&self.pool)
        .await
        .map(drop)
    }
}
// ANCHOR_END: queue
