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

impl Queue for PgQueue {
    fn new(pool: PgPool, config: QueueConfig) -> Self {
        PgQueue { pool, config }
    }

    async fn claim(&self, batch: i64) -> sqlx::Result<Vec<Job>> {
        let (_pool, _config) = (&self.pool, &self.config);
        todo!("06.3 exercises/06-shop/src/queue.rs: PgQueue::claim({batch})")
    }

    async fn complete(&self, jobs: &[Job]) -> sqlx::Result<()> {
        let ids: Vec<i64> = jobs.iter().map(|job| job.id).collect();
        todo!("06.3 exercises/06-shop/src/queue.rs: PgQueue::complete({ids:?})")
    }

    async fn fail(&self, job: &Job, error: &str) -> sqlx::Result<()> {
        let job = job.id;
        todo!("06.3 exercises/06-shop/src/queue.rs: PgQueue::fail({job}, {error})")
    }
}
