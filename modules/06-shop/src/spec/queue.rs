//! Spec of 06.3. Each check runs on a fresh PostgreSQL schema. The spec
//! plays the workers: it claims batches, hands each job to a fake mailer,
//! and completes or fails it; a "crashed" worker drops its batch. Leases are
//! a second of real time (the database's clock, which no
//! test can pause); a backoff is checked in `run_at`, then skipped by moving
//! `run_at` to now.

use super::erased::DynQueue;
use crate::MIGRATOR;
use crate::queue::{Job, Mailer, QueueConfig, enqueue, job_states};
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Makes the queue on a pool.
pub type MakeQueue = fn(PgPool, QueueConfig) -> Arc<dyn DynQueue>;

/// Long enough that a loaded machine never sees a lease run out between two
/// claims a check makes one after the other.
const LEASE: Duration = Duration::from_secs(1);
const CONFIG: QueueConfig = QueueConfig {
    lease: LEASE,
    backoff: Duration::from_millis(10),
    max_attempts: 3,
};
const JOBS: usize = 1000;
const WORKERS: usize = 4;
const BATCH: i64 = 10;
/// Each worker drops these batches of its own, counted from 1, unsent.
const CRASHES: [usize; 2] = [2, 5];
/// A queue whose jobs did not change state for this long has stopped.
const STALL: Duration = Duration::from_secs(4);

/// The checks of 06.3.
pub fn checks(make: MakeQueue) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "claims_skip_locked_and_leased_jobs",
            threads,
            claims_skip_locked_and_leased_jobs(make),
        ),
        Check::new(
            "a_crashed_workers_jobs_return_after_the_lease",
            threads,
            a_crashed_workers_jobs_return_after_the_lease(make),
        ),
        Check::new(
            "failures_back_off_then_go_dead",
            threads,
            failures_back_off_then_go_dead(make),
        ),
        Check::new(
            "thousand_jobs_four_workers_with_crashes",
            threads,
            thousand_jobs_four_workers_with_crashes(make),
        ),
    ]
}

async fn with_queue<F, Fut>(make: MakeQueue, config: QueueConfig, jobs: Vec<String>, body: F)
where
    F: FnOnce(Arc<dyn DynQueue>, PgPool) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        enqueue(&pool, &jobs).await.expect("queueing the jobs");
        body(make(pool.clone(), config), pool).await;
    })
    .await;
}

fn users(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("user-{i}")).collect()
}

/// A claim that must not wait: a claim that blocks on a locked row fails
/// the check instead of hanging it.
async fn claim(queue: &dyn DynQueue, batch: i64, what: &str) -> Vec<Job> {
    match tokio::time::timeout(Duration::from_secs(2), queue.claim(batch)).await {
        Ok(jobs) => jobs.unwrap_or_else(|e| panic!("{what}: the claim failed: {e}")),
        Err(_) => panic!(
            "{what}: the claim waited more than 2 s for rows another transaction has locked: \
             workers must pass over locked jobs, FOR UPDATE SKIP LOCKED"
        ),
    }
}

fn ids(jobs: &[Job]) -> BTreeSet<i64> {
    jobs.iter().map(|j| j.id).collect()
}

/// With jobs 1 to 5 locked by another transaction, a claim of 10 gets 6 to
/// 15 at once; a second claim gets 10 others, since leased jobs are not
/// claimable; once the lock is gone, the rest.
pub async fn claims_skip_locked_and_leased_jobs(make: MakeQueue) {
    with_queue(make, CONFIG, users(30), |queue, pool| async move {
        let mut other = pool.begin().await.expect("a transaction of another worker");
        sqlx::query("SELECT id FROM email_jobs WHERE id <= 5 FOR UPDATE")
            .execute(&mut *other)
            .await
            .expect("locking jobs 1 to 5");
        let first = claim(&*queue, 10, "with jobs 1 to 5 locked").await;
        assert_eq!(
            ids(&first),
            (6..=15).collect(),
            "with jobs 1 to 5 locked by another transaction, a claim of 10 must get jobs 6 to \
             15, the first ten free ones"
        );
        assert!(
            first.iter().all(|j| j.attempts == 1),
            "a first claim is each job's attempt 1: {first:?}"
        );
        let second = claim(&*queue, 10, "a second claim").await;
        assert_eq!(
            ids(&second),
            (16..=25).collect(),
            "a second claim must get jobs 16 to 25: jobs 6 to 15 are leased (claimed again \
             while the lease holds, they would be sent twice)"
        );
        other.rollback().await.expect("unlocking jobs 1 to 5");
        let third = claim(&*queue, 10, "a third claim").await;
        let expected: BTreeSet<i64> = (1..=5).chain(26..=30).collect();
        assert_eq!(
            ids(&third),
            expected,
            "once unlocked, jobs 1 to 5 and 26 to 30"
        );
        let fourth = claim(&*queue, 10, "a fourth claim").await;
        assert!(
            fourth.is_empty(),
            "every job is leased: nothing to claim, got {fourth:?}"
        );
    })
    .await;
}

/// A worker claims 5 jobs and dies. While the lease holds nobody else gets
/// them; after it, they are claimed again as attempt 2. Completed, they stay
/// done.
pub async fn a_crashed_workers_jobs_return_after_the_lease(make: MakeQueue) {
    with_queue(make, CONFIG, users(5), |queue, pool| async move {
        let crashed = claim(&*queue, 10, "the first claim").await;
        assert_eq!(crashed.len(), 5, "the first claim gets the 5 jobs");
        let during = claim(&*queue, 10, "a claim while the lease holds").await;
        assert!(
            during.is_empty(),
            "while the crashed worker's lease holds, its jobs must not be claimed again (they \
             would be sent twice), got {:?}",
            ids(&during)
        );
        tokio::time::sleep(LEASE + Duration::from_millis(100)).await;
        let after = claim(&*queue, 10, "a claim after the lease").await;
        assert_eq!(
            ids(&after),
            ids(&crashed),
            "after the lease ran out, the crashed worker's jobs must be claimable again: a \
             claim needs leased_until, and a job whose lease is past is free"
        );
        assert!(
            after.iter().all(|j| j.attempts == 2),
            "the second claim is each job's attempt 2: {after:?}"
        );
        for job in &after {
            queue.complete(job.id).await.expect("completing a job");
        }
        tokio::time::sleep(LEASE + Duration::from_millis(100)).await;
        let done = claim(&*queue, 10, "a claim after completing").await;
        assert!(
            done.is_empty(),
            "completed jobs are never claimed again, got {done:?}"
        );
        let states = job_states(&pool).await.expect("reading the jobs");
        assert_eq!(states.get("done"), Some(&5), "5 jobs done: {states:?}");
    })
    .await;
}

/// A job that always fails comes back after `backoff * 2^(n-1)`, not
/// before, and after `max_attempts` attempts it is dead for good.
pub async fn failures_back_off_then_go_dead(make: MakeQueue) {
    let config = QueueConfig {
        backoff: Duration::from_secs(2),
        ..CONFIG
    };
    with_queue(
        make,
        config,
        vec!["bounce-1".into()],
        move |queue, pool| async move {
            for attempt in 1..=config.max_attempts {
                let jobs = claim(&*queue, 1, &format!("attempt {attempt}")).await;
                assert_eq!(
                    jobs.iter().map(|j| j.attempts).collect::<Vec<_>>(),
                    vec![attempt],
                    "attempt {attempt} must claim the job, counting it as attempt {attempt}"
                );
                queue
                    .fail(jobs[0].id, "bounced")
                    .await
                    .expect("failing the job");
                let (state, wait): (String, f64) = sqlx::query_as(
                    "SELECT state, extract(epoch FROM run_at - now())::float8 FROM email_jobs",
                )
                .fetch_one(&pool)
                .await
                .expect("reading the job");
                if attempt == config.max_attempts {
                    assert_eq!(
                        state, "dead",
                        "after {attempt} failed attempts, max_attempts, the job must be dead"
                    );
                    break;
                }
                assert_eq!(
                    state, "queued",
                    "after {attempt} failed attempts, the job is retried"
                );
                let expected = config.backoff_after(attempt).as_secs_f64();
                assert!(
                    (expected - 0.5..=expected + 1.0).contains(&wait),
                    "after failed attempt {attempt}, the job must wait {expected} s \
                 (backoff * 2^(attempt - 1)); its run_at is {wait:.2} s away"
                );
                let early = claim(&*queue, 1, "a claim during the backoff").await;
                assert!(
                    early.is_empty(),
                    "a job must not be claimed during its backoff"
                );
                sqlx::query("UPDATE email_jobs SET run_at = now()")
                    .execute(&pool)
                    .await
                    .expect("skipping the backoff");
            }
            sqlx::query("UPDATE email_jobs SET run_at = now()")
                .execute(&pool)
                .await
                .expect("skipping the backoff");
            let after = claim(&*queue, 1, "a claim of a dead job").await;
            assert!(
                after.is_empty(),
                "a dead job is never claimed again, got {after:?}"
            );
        },
    )
    .await;
}

/// The recipient of job `i` (from 1): every 50th bounces, every 10th else
/// fails its first try.
pub(crate) fn recipient(i: usize) -> String {
    match i {
        i if i % 50 == 7 => format!("bounce-{i}"),
        i if i % 10 == 3 => format!("flaky-{i}"),
        i => format!("user-{i}"),
    }
}

/// One worker: claims, sends, completes or fails, until no job is queued;
/// it "crashes" on its batches numbered in [`CRASHES`], dropping them. The
/// demo runs it too.
pub(crate) async fn work(queue: Arc<dyn DynQueue>, mailer: Arc<Mailer>, pool: PgPool) {
    let mut batches = 0;
    loop {
        let jobs = queue.claim(BATCH).await.expect("a claim");
        if jobs.is_empty() {
            let states = job_states(&pool).await.expect("reading the jobs");
            if states.get("queued").copied().unwrap_or(0) == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        }
        batches += 1;
        if CRASHES.contains(&batches) {
            continue;
        }
        for job in jobs {
            match mailer.send(&job).await {
                Ok(()) => queue.complete(job.id).await.expect("completing a job"),
                Err(e) => queue
                    .fail(job.id, &e.to_string())
                    .await
                    .expect("failing a job"),
            }
        }
    }
}

/// 1000 jobs, 4 workers, 8 dropped batches, 100 recipients that fail once
/// and 20 that always fail: each good job delivered exactly once, never by
/// two workers at once, and exactly the always-failing jobs dead.
pub async fn thousand_jobs_four_workers_with_crashes(make: MakeQueue) {
    let jobs: Vec<String> = (1..=JOBS).map(recipient).collect();
    with_queue(make, CONFIG, jobs.clone(), move |queue, pool| async move {
        let mailer = Arc::new(Mailer::new(Duration::from_micros(200)));
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| tokio::spawn(work(queue.clone(), mailer.clone(), pool.clone())))
            .collect();
        let drained = racecourse_kit::spec::join_all(workers);
        tokio::pin!(drained);
        let (mut last, mut since) = (HashMap::new(), Instant::now());
        loop {
            tokio::select! {
                _ = &mut drained => break,
                _ = tokio::time::sleep(Duration::from_millis(100)) => {
                    let states = job_states(&pool).await.expect("reading the jobs");
                    if states != last {
                        (last, since) = (states, Instant::now());
                    }
                    assert!(
                        since.elapsed() < STALL,
                        "the queue stopped draining for {STALL:?} with {WORKERS} workers: \
                         {last:?}. Do crashed workers' jobs come back after the lease?"
                    );
                }
            }
        }
        let overlaps = mailer.overlaps();
        assert!(
            overlaps.is_empty(),
            "{} jobs were sent by two workers at the same time (the first: job {}): a job \
             claimed and leased must not be claimed by anyone else",
            overlaps.len(),
            overlaps[0]
        );
        let delivered = mailer.delivered();
        let twice: Vec<(&i64, &usize)> = delivered.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            twice.is_empty(),
            "{} jobs were delivered more than once (e.g. job {} {} times): each must be \
             claimed by one worker at a time",
            twice.len(),
            twice[0].0,
            twice[0].1
        );
        let bounces: BTreeSet<i64> = (1..=JOBS as i64)
            .filter(|i| jobs[*i as usize - 1].starts_with("bounce"))
            .collect();
        let missing: Vec<i64> = (1..=JOBS as i64)
            .filter(|i| !bounces.contains(i) && !delivered.contains_key(i))
            .collect();
        assert!(
            missing.is_empty(),
            "{} jobs were never delivered (the first: {})",
            missing.len(),
            missing[0]
        );
        let dead: BTreeSet<i64> =
            sqlx::query_scalar::<_, i64>("SELECT id FROM email_jobs WHERE state = 'dead'")
                .fetch_all(&pool)
                .await
                .expect("reading the dead jobs")
                .into_iter()
                .collect();
        assert_eq!(
            dead, bounces,
            "the dead letters must be exactly the jobs whose recipient always bounces"
        );
        let states: HashMap<String, i64> = job_states(&pool).await.expect("reading the jobs");
        let good = (JOBS - bounces.len()) as i64;
        assert_eq!(
            states.get("done"),
            Some(&good),
            "{good} jobs done: {states:?}"
        );
    })
    .await;
}
