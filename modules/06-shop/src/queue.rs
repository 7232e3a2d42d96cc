//! Exercise 06.3: an email queue in PostgreSQL. Several workers claim jobs
//! in batches with `FOR UPDATE SKIP LOCKED`; a claim is a lease, so a
//! crashed worker's jobs run again once it runs out; a worker completes the
//! jobs it delivered in one statement, and only those whose lease it still
//! holds; a failed job comes back after a backoff, and after too many
//! attempts it is dead (a dead letter), also only if its lease is still the
//! worker's.

use sqlx::PgPool;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

/// A claimed job. Its `id` and `attempts` together name the lease: every
/// claim counts an attempt, so a job claimed again after its lease ran out
/// has a higher `attempts` than the claim before, and the late holder's pair
/// no longer matches the row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub recipient: String,
    /// Counting this one: 1 on the first claim.
    pub attempts: i32,
}

/// The queue's settings.
#[derive(Debug, Clone, Copy)]
pub struct QueueConfig {
    /// How long a claim holds a job: past it, the job is claimable again.
    pub lease: Duration,
    /// The first retry waits this long, each next one twice the one before.
    pub backoff: Duration,
    /// A job that failed this many attempts is dead.
    pub max_attempts: i32,
}

impl QueueConfig {
    /// The wait before the retry of a job that failed its `attempts`th
    /// attempt: `backoff * 2^(attempts - 1)`.
    pub fn backoff_after(&self, attempts: i32) -> Duration {
        self.backoff * 2u32.pow(attempts.clamp(1, 20) as u32 - 1)
    }
}

/// The queue over the `email_jobs` table.
pub trait Queue: Send + Sync + 'static {
    fn new(pool: PgPool, config: QueueConfig) -> Self;

    /// Leases up to `batch` jobs that are queued, due (`run_at <= now()`) and
    /// not leased by someone else, counting an attempt for each.
    fn claim(&self, batch: i64) -> impl Future<Output = sqlx::Result<Vec<Job>>> + Send;

    /// The jobs were delivered: `done`, all in one statement (one commit
    /// for the batch, not one per job), but only those whose lease is still
    /// this claim's: a job claimed again by another worker after the lease ran
    /// out (its `attempts` moved on) is that worker's, and stays as it is. A job
    /// whose lease ran out and that nobody claimed since is still done: it was
    /// delivered, and sending it again helps nobody.
    fn complete(&self, jobs: &[Job]) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// The job's attempt failed: back to `queued` after the backoff, or
    /// `dead` when it has had `max_attempts` attempts; but only while it is
    /// still `queued` under this claim (the same `id` and `attempts`), as in
    /// [`Queue::complete`]. A job another worker has claimed since is that
    /// worker's and stays as it is, done or still being sent: put back in
    /// the queue by a late `fail`, it would be sent again. A job whose lease
    /// ran out and that nobody claimed since still fails: the attempt was
    /// made, and its retry waits the backoff.
    fn fail(&self, job: &Job, error: &str) -> impl Future<Output = sqlx::Result<()>> + Send;
}

/// Queues one job per recipient, in order.
pub async fn enqueue(pool: &PgPool, recipients: &[String]) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO email_jobs (recipient) SELECT * FROM unnest($1::text[])")
        .bind(recipients)
        .execute(pool)
        .await
        .map(drop)
}

/// Jobs by state: queued, done, dead.
pub async fn job_states(pool: &PgPool) -> sqlx::Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, count(*) FROM email_jobs GROUP BY state")
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().collect())
}

/// Why the mailer did not deliver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("{0}: mailbox does not exist")]
    Bounced(String),
    #[error("{0}: the mail server was busy, try again")]
    Busy(String),
}

#[derive(Default)]
struct Sent {
    delivered: HashMap<i64, usize>,
    in_flight: HashMap<i64, usize>,
    tries: HashMap<String, usize>,
    overlaps: Vec<i64>,
}

/// A fake mailer that records what it delivered. Recipients named
/// `bounce-*` always fail; `flaky-*` fail their first try only. It notes a
/// job sent by two workers at once: two holders of one lease.
pub struct Mailer {
    latency: Duration,
    sent: Mutex<Sent>,
}

impl Mailer {
    pub fn new(latency: Duration) -> Mailer {
        Mailer {
            latency,
            sent: Mutex::new(Sent::default()),
        }
    }

    /// Sends `job`'s email.
    pub async fn send(&self, job: &Job) -> Result<(), MailError> {
        {
            let mut sent = self.sent.lock().unwrap();
            let n = sent.in_flight.entry(job.id).or_default();
            *n += 1;
            if *n > 1 {
                sent.overlaps.push(job.id);
            }
        }
        tokio::time::sleep(self.latency).await;
        let mut sent = self.sent.lock().unwrap();
        *sent.in_flight.get_mut(&job.id).unwrap() -= 1;
        let tries = sent.tries.entry(job.recipient.clone()).or_default();
        *tries += 1;
        if job.recipient.starts_with("bounce") {
            return Err(MailError::Bounced(job.recipient.clone()));
        }
        if job.recipient.starts_with("flaky") && *tries == 1 {
            return Err(MailError::Busy(job.recipient.clone()));
        }
        *sent.delivered.entry(job.id).or_default() += 1;
        Ok(())
    }

    /// How many times each job was delivered.
    pub fn delivered(&self) -> HashMap<i64, usize> {
        self.sent.lock().unwrap().delivered.clone()
    }

    /// How many times the mailer was asked to send to `recipient`.
    pub fn tries(&self, recipient: &str) -> usize {
        self.sent
            .lock()
            .unwrap()
            .tries
            .get(recipient)
            .copied()
            .unwrap_or(0)
    }

    /// Jobs that two workers sent at the same time.
    pub fn overlaps(&self) -> Vec<i64> {
        self.sent.lock().unwrap().overlaps.clone()
    }
}
