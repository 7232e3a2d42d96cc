//! `cargo xtask bench 06`: the email queue of 06.3 (`FOR UPDATE SKIP
//! LOCKED`, in batches of ten) drained by 1, 4 and 8 workers for a few
//! seconds each, in jobs per second, beside pgbench running the same SQL on
//! the same schema. A job is its share of a claim of ten, a delivery to a
//! mailer that sends nothing, and its share of the `complete` of its batch:
//! two commits per ten jobs, so the write-ahead log's flush at each commit
//! is no longer what limits the queue, as it was with a commit per job.
//! `--impl exercise` measures your queue instead of the solution's.

use clap::{Parser, ValueEnum};
use racecourse_06::queue::{Job, QueueConfig, enqueue, job_states};
use racecourse_06::spec::erased::{self as e, DynQueue};
use racecourse_bench::{Attempt, Point, client_of, drive, pgbench_with, plot, table};
use racecourse_kit::services::{Kind, Scratch, find};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::HashSet;
use std::path::PathBuf;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(about = "Module 06's SKIP LOCKED queue: jobs per second by workers, beside pgbench")]
struct Args {
    /// Whose queue is measured.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Seconds per point (ours, then pgbench's).
    #[arg(long, default_value_t = 3)]
    seconds: u64,
    /// Concurrent workers, one point each.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 4, 8])]
    workers: Vec<usize>,
    /// Also write the plot here (SVG).
    #[arg(long)]
    svg: Option<PathBuf>,
    /// One worker for one second each way, to show the bench runs
    /// (`cargo xtask verify`).
    #[arg(long)]
    smoke: bool,
}

/// Jobs a worker claims at once, as the spec's workers and the demo's do.
const BATCH: i64 = 10;

/// A lease no point outlives: no job is claimed twice during a point.
const CONFIG: QueueConfig = QueueConfig {
    lease: Duration::from_secs(30),
    backoff: Duration::from_secs(1),
    max_attempts: 3,
};

/// Jobs queued before each run, per second of the run: more than the
/// fastest run here drains, so that no worker finds the queue empty.
const JOBS_PER_SECOND: usize = 25_000;

/// The row of the table.
const STRATEGY: &str = "06.3 queue, batch of 10";

/// The solution's claim and complete, in pgbench's script language: one
/// transaction is one batch. The claim's ids and attempts come back as ten
/// pairs of variables (0, which no job has, where the batch is short), all
/// completed in one statement, as a worker completes its batch after sending
/// it.
fn script() -> String {
    let lease = CONFIG.lease.as_secs();
    let columns: Vec<String> = (1..=BATCH)
        .map(|i| format!("coalesce(ids[{i}], 0) AS j{i}, coalesce(tries[{i}], 0) AS a{i}"))
        .collect();
    let mine: Vec<String> = (1..=BATCH).map(|i| format!("(:j{i}, :a{i})")).collect();
    format!(
        "WITH claimed AS (UPDATE email_jobs SET attempts = attempts + 1, \
         leased_until = now() + make_interval(secs => {lease}) \
         WHERE id IN (SELECT id FROM email_jobs WHERE state = 'queued' AND run_at <= now() \
         AND (leased_until IS NULL OR leased_until <= now()) \
         ORDER BY id LIMIT {BATCH} FOR UPDATE SKIP LOCKED) \
         RETURNING id, recipient, attempts) \
         SELECT {} FROM (SELECT array_agg(id ORDER BY id) AS ids, \
         array_agg(attempts ORDER BY id) AS tries FROM claimed) batch \\gset\n\
         UPDATE email_jobs SET state = 'done', leased_until = NULL \
         FROM (VALUES {}) AS mine(id, attempts) \
         WHERE email_jobs.id = mine.id AND email_jobs.attempts = mine.attempts;\n",
        columns.join(", "),
        mine.join(", ")
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    if args.smoke {
        (args.seconds, args.workers) = (1, vec![1]);
    }
    let server = find(Kind::Postgres).await?;
    let scratch = Scratch::create(&racecourse_06::MIGRATOR, "bench")
        .await
        .map_err(anyhow::Error::msg)?;
    // On a task of its own, so that a queue that panics (the exercise's
    // stubs) or a Ctrl-C still leaves the schema to be dropped.
    let (url, schema) = (server.url.clone(), scratch.name.clone());
    let (implementation, seconds, workers) =
        (args.implementation, args.seconds, args.workers.clone());
    let bench =
        tokio::spawn(async move { run(implementation, seconds, &workers, &url, &schema).await });
    let outcome = tokio::select! {
        outcome = bench => outcome.map_err(|e| anyhow::anyhow!("the bench stopped: {e}")),
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    scratch.remove().await;
    let points = outcome??;
    println!("{}", table(&points));
    println!(
        "a job: its share of a claim of {BATCH}, a delivery that sends nothing, its share of \
         its batch's complete (one statement); p50 is a job whose call neither claims nor completes"
    );
    if points.iter().all(|p| p.pgbench.is_none()) {
        println!(
            "pgbench was not found: its columns are empty (it comes with PostgreSQL's client tools)"
        );
    } else {
        println!("pgbench: a transaction per batch, its figures given per job");
    }
    if let Some(svg) = &args.svg {
        plot(svg, "Module 06: the SKIP LOCKED queue, jobs done", &points)
            .map_err(anyhow::Error::msg)?;
        println!("plot written to {}", svg.display());
    }
    Ok(())
}

async fn run(
    implementation: Impl,
    seconds: u64,
    workers: &[usize],
    url: &str,
    schema: &str,
) -> anyhow::Result<Vec<Point>> {
    let most = workers.iter().copied().max().unwrap_or(1) as u32;
    let time = Duration::from_secs(seconds);
    let jobs = JOBS_PER_SECOND * seconds as usize;
    let settings = [("search_path", schema)];
    // A connection per worker, as pgbench has; named for the schema, so
    // that dropping it ends them if the bench is stopped.
    let pool = PgPoolOptions::new()
        .max_connections(most)
        .connect_with(
            PgConnectOptions::from_str(url)?
                .options(settings)
                .application_name(schema),
        )
        .await?;
    let queue = match implementation {
        Impl::Exercise => e::queue::<racecourse_06_exercises::queue::PgQueue>(pool.clone(), CONFIG),
        Impl::Solution => e::queue::<racecourse_06_solutions::queue::PgQueue>(pool.clone(), CONFIG),
    };
    let mut points = Vec::new();
    for &n in workers {
        eprintln!("{STRATEGY} with {n} workers");
        refill(&pool, jobs).await?;
        let mailer = Arc::new(NoOpMailer::default());
        let ours = drive(n, time, work(queue.clone(), mailer.clone(), n)).await;
        if let Some(job) = mailer.sent_twice() {
            anyhow::bail!("job {job} was sent twice within its lease: the queue gave it twice");
        }
        warn_if_drained(&pool, "our workers").await?;
        refill(&pool, jobs).await?;
        let pgbench = pgbench_with(url, &settings, &script(), n, time)
            .map_err(anyhow::Error::msg)?
            .map(|m| m.per(BATCH as u32));
        warn_if_drained(&pool, "pgbench").await?;
        points.push(Point {
            strategy: STRATEGY.into(),
            clients: n,
            ours,
            pgbench,
        });
    }
    pool.close().await;
    Ok(points)
}

/// Empties the queue and queues `jobs` fresh ones: each run starts from the
/// same table, not from one whose index is full of the last run's done jobs.
async fn refill(pool: &PgPool, jobs: usize) -> sqlx::Result<()> {
    sqlx::query("TRUNCATE email_jobs").execute(pool).await?;
    let recipients: Vec<String> = (1..=jobs).map(|i| format!("user-{i}")).collect();
    enqueue(pool, &recipients).await?;
    sqlx::query("ANALYZE email_jobs").execute(pool).await?;
    Ok(())
}

/// Says so when a run emptied the queue: its figure is then too low.
async fn warn_if_drained(pool: &PgPool, who: &str) -> sqlx::Result<()> {
    let states = job_states(pool).await?;
    if states.get("queued").copied().unwrap_or(0) == 0 {
        eprintln!(
            "warning: {who} emptied the queue before the time was up: \
             the figure is too low (raise JOBS_PER_SECOND)"
        );
    }
    Ok(())
}

/// A mailer that sends nothing, so that the queue is all that is measured.
/// Module 06's `Mailer` would sleep even for a latency of zero, and tokio's
/// timer rounds a sleep up to the next millisecond. It keeps the ids it was
/// given: no lease runs out during a run, so an id given twice is the queue's
/// fault.
#[derive(Default)]
struct NoOpMailer {
    sent: std::sync::Mutex<(HashSet<i64>, Option<i64>)>,
}

impl NoOpMailer {
    fn send(&self, job: &Job) {
        let mut sent = self.sent.lock().unwrap();
        if !sent.0.insert(job.id) {
            sent.1.get_or_insert(job.id);
        }
    }

    /// The first job it was given twice, if any.
    fn sent_twice(&self) -> Option<i64> {
        self.sent.lock().unwrap().1
    }
}

type Op = Pin<Box<dyn Future<Output = Attempt> + Send>>;

/// A worker's claimed batch and how many of its jobs it has sent.
#[derive(Default)]
struct Batch {
    claimed: Vec<Job>,
    sent: usize,
}

/// One job per call, by `workers` workers: each keeps the batch it claimed,
/// sends one job per call, completes the batch in one call after sending
/// its last job, and claims the next.
fn work(
    queue: Arc<dyn DynQueue>,
    mailer: Arc<NoOpMailer>,
    workers: usize,
) -> impl Fn(usize) -> Op + Send + Sync + 'static {
    let batches: Arc<Vec<Mutex<Batch>>> =
        Arc::new((0..workers).map(|_| Mutex::default()).collect());
    move |call| {
        let (queue, mailer, batches) = (queue.clone(), mailer.clone(), batches.clone());
        Box::pin(async move {
            let mut batch = batches[client_of(call)].lock().await;
            if batch.sent == batch.claimed.len() {
                *batch = Batch {
                    claimed: queue.claim(BATCH).await.unwrap_or_default(),
                    sent: 0,
                };
            }
            let done = match batch.claimed.get(batch.sent) {
                Some(job) => {
                    mailer.send(job);
                    batch.sent += 1;
                    batch.sent < batch.claimed.len() || queue.complete(&batch.claimed).await.is_ok()
                }
                None => false,
            };
            Attempt {
                attempts: 1,
                succeeded: done,
            }
        })
    }
}
