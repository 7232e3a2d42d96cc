//! 06.3: queues that almost work. They share one claim statement, one
//! complete and one fail ([`claim`], [`complete`], [`fail`]), each with a
//! piece left out, off by one, or tested by the wrong column.

use crate::queue::{Job, Queue, QueueConfig};
use sqlx::PgPool;

/// The right claim's parts: which jobs are free, and how they are locked.
const FREE: &str = "(leased_until IS NULL OR leased_until <= now())";
const SKIP_LOCKED: &str = "FOR UPDATE SKIP LOCKED";
/// The right condition for a dead letter (`$2` is `max_attempts`).
pub(crate) const RIGHT_DEATH: &str = "attempts >= $2";
/// The right test that a delivered job's lease is still the worker's: no
/// claim since its own (`mine` is the worker's batch, id and attempts).
pub(crate) const RIGHT_HOLDER: &str = "email_jobs.attempts = mine.attempts";
/// The same test for a failed job (`$5` is its attempts as claimed), which
/// must also still be queued: neither done nor dead.
pub(crate) const RIGHT_FAIL_HOLDER: &str = "state = 'queued' AND attempts = $5";

/// Leases up to `batch` due jobs that match `free`, chosen with `lock`.
async fn claim(
    pool: &PgPool,
    config: &QueueConfig,
    batch: i64,
    free: &str,
    lock: &str,
) -> sqlx::Result<Vec<Job>> {
    let sql = format!(
        "UPDATE email_jobs
            SET attempts = attempts + 1, leased_until = now() + make_interval(secs => $2)
          WHERE id IN (SELECT id FROM email_jobs
                        WHERE state = 'queued' AND run_at <= now() AND {free}
                        ORDER BY id LIMIT $1 {lock})
         RETURNING id, recipient, attempts"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(batch)
        .bind(config.lease.as_secs_f64())
        .fetch_all(pool)
        .await
}

/// Marks done, in one statement, the delivered `jobs` for which `held`
/// holds.
pub(crate) async fn complete(pool: &PgPool, jobs: &[Job], held: &str) -> sqlx::Result<()> {
    let sql = format!(
        "UPDATE email_jobs SET state = 'done', leased_until = NULL
           FROM unnest($1::bigint[], $2::int[]) AS mine(id, attempts)
          WHERE email_jobs.id = mine.id AND {held}"
    );
    let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
    let attempts: Vec<i32> = jobs.iter().map(|j| j.attempts).collect();
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .bind(attempts)
        .execute(pool)
        .await
        .map(drop)
}

/// The failed `job`, if `held` holds: dead when `death` holds, else queued
/// again, after the backoff if `backoff`.
pub(crate) async fn fail(
    pool: &PgPool,
    config: &QueueConfig,
    job: &Job,
    error: &str,
    held: &str,
    death: &str,
    backoff: bool,
) -> sqlx::Result<()> {
    let factor = if backoff { 1.0 } else { 0.0 };
    let sql = format!(
        "UPDATE email_jobs
            SET state = CASE WHEN {death} THEN 'dead' ELSE 'queued' END,
                run_at = now() + make_interval(secs => $3 * power(2, attempts - 1)),
                leased_until = NULL, last_error = $4
          WHERE id = $1 AND {held}"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(job.id)
        .bind(config.max_attempts)
        .bind(config.backoff.as_secs_f64() * factor)
        .bind(error)
        .bind(job.attempts)
        .execute(pool)
        .await
        .map(drop)
}

/// A queue of the shared parts; the wrong fixes below choose which is off.
/// `held` tests the lease in `complete`; `fail`'s test is the right one,
/// [`RIGHT_FAIL_HOLDER`], unless `fail_held` names another.
macro_rules! queue {
    ($(#[$doc:meta])* $name:ident, claim: ($free:expr, $lock:expr), held: $held:expr, death: $death:expr, backoff: $backoff:expr) => {
        queue!($(#[$doc])* $name, claim: ($free, $lock), held: $held, death: $death, backoff: $backoff,
            fail_held: RIGHT_FAIL_HOLDER);
    };
    ($(#[$doc:meta])* $name:ident, claim: ($free:expr, $lock:expr), held: $held:expr, death: $death:expr, backoff: $backoff:expr,
     fail_held: $fail_held:expr) => {
        $(#[$doc])*
        pub struct $name {
            pool: PgPool,
            config: QueueConfig,
        }

        impl Queue for $name {
            fn new(pool: PgPool, config: QueueConfig) -> Self {
                $name { pool, config }
            }

            async fn claim(&self, batch: i64) -> sqlx::Result<Vec<Job>> {
                claim(&self.pool, &self.config, batch, $free, $lock).await
            }

            async fn complete(&self, jobs: &[Job]) -> sqlx::Result<()> {
                complete(&self.pool, jobs, $held).await
            }

            async fn fail(&self, job: &Job, error: &str) -> sqlx::Result<()> {
                fail(&self.pool, &self.config, job, error, $fail_held, $death, $backoff).await
            }
        }
    };
}

// ANCHOR: no_skip_locked
queue!(
    /// `FOR UPDATE` without `SKIP LOCKED`: never a job twice, but a worker whose
    /// next jobs another worker has locked waits for that worker's transaction,
    /// however long it takes: the workers run one at a time.
    NoSkipLocked, claim: (FREE, "FOR UPDATE"), held: RIGHT_HOLDER, death: RIGHT_DEATH, backoff: true);
// ANCHOR_END: no_skip_locked

// ANCHOR: lease_ignored
queue!(
    /// `SKIP LOCKED` with no lease: the claim's row locks end when its statement
    /// commits, a moment later, so the next worker's claim takes the same jobs
    /// while the first is still sending them.
    LeaseIgnored, claim: ("true", SKIP_LOCKED), held: RIGHT_HOLDER, death: RIGHT_DEATH, backoff: true);
// ANCHOR_END: lease_ignored

// ANCHOR: never_expires
queue!(
    /// A claim that marks a job taken for good (`leased_until IS NULL` as the
    /// test of a free job): a worker that crashes takes its jobs with it.
    NeverExpires, claim: ("leased_until IS NULL", SKIP_LOCKED), held: RIGHT_HOLDER, death: RIGHT_DEATH, backoff: true);
// ANCHOR_END: never_expires

// ANCHOR: no_backoff
queue!(
    /// A failed job back in the queue at once: the next claim takes it again,
    /// and a mail server that is down gets every retry in the same second.
    NoBackoff, claim: (FREE, SKIP_LOCKED), held: RIGHT_HOLDER, death: RIGHT_DEATH, backoff: false);
// ANCHOR_END: no_backoff

// ANCHOR: one_attempt_too_many
queue!(
    /// Dead only after more than `max_attempts` attempts: one attempt too many
    /// for every dead letter.
    OneAttemptTooMany, claim: (FREE, SKIP_LOCKED), held: RIGHT_HOLDER, death: "attempts > $2", backoff: true);
// ANCHOR_END: one_attempt_too_many

// ANCHOR: whole_batch
queue!(
    /// The batch completed by id alone: a worker slow enough that its lease ran
    /// out writes over jobs another worker has claimed since, `done` while
    /// that worker is still sending them, whatever its send then says.
    WholeBatch, claim: (FREE, SKIP_LOCKED), held: "true", death: RIGHT_DEATH, backoff: true);
// ANCHOR_END: whole_batch

// ANCHOR: holder_by_clock
queue!(
    /// The lease tested by the clock (`leased_until > now()`): the new
    /// holder's lease is in the future too, so the late worker still marks its
    /// jobs done; and a job whose lease ran out unclaimed, delivered, stays
    /// queued and is sent again.
    HolderByClock, claim: (FREE, SKIP_LOCKED), held: "email_jobs.leased_until > now()",
    death: RIGHT_DEATH, backoff: true);
// ANCHOR_END: holder_by_clock

// ANCHOR: fail_by_id
queue!(
    /// Completion tested by the lease, but a failure by id alone: a worker
    /// whose lease ran out, and whose send then failed, puts back in the queue
    /// a job another worker has claimed since, and delivered (it is sent
    /// again) or is still sending (two workers send it).
    FailById, claim: (FREE, SKIP_LOCKED), held: RIGHT_HOLDER, death: RIGHT_DEATH, backoff: true,
    fail_held: "true");
// ANCHOR_END: fail_by_id
