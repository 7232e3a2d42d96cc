//! Spec of 06.3. Each check runs on a fresh PostgreSQL schema. The spec
//! plays the workers: it claims batches, hands each job to a fake mailer,
//! fails the jobs that bounced and completes the delivered ones in one call;
//! a "crashed" worker drops its batch. Leases are a second of real time (the
//! database's clock, which no test can pause); a backoff is checked in
//! `run_at`, then skipped by moving `run_at` to now, and a slow worker's
//! lease is run out the same way, by moving `leased_until` to now.

use super::OrFail;
use super::erased::DynQueue;
use crate::MIGRATOR;
use crate::queue::{Job, Mailer, QueueConfig, enqueue, job_states};
use racecourse_kit::i18n::t;
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
            "a_late_worker_completes_only_what_it_still_holds",
            threads,
            a_late_worker_completes_only_what_it_still_holds(make),
        ),
        Check::new(
            "a_late_fail_leaves_what_another_worker_claimed",
            threads,
            a_late_fail_leaves_what_another_worker_claimed(make),
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
        enqueue(&pool, &jobs)
            .await
            .or_fail(|| t!("spec-06-step-queueing-the-jobs"));
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
        Ok(jobs) => jobs.unwrap_or_else(|e| {
            panic!(
                "{}",
                t!("spec-06-3-claim-failed", what = what, error = e.to_string())
            )
        }),
        Err(_) => panic!("{}", t!("spec-06-3-claim-waited", what = what)),
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
        let mut other = pool
            .begin()
            .await
            .or_fail(|| t!("spec-06-step-another-workers-transaction"));
        sqlx::query("SELECT id FROM email_jobs WHERE id <= 5 FOR UPDATE")
            .execute(&mut *other)
            .await
            .or_fail(|| t!("spec-06-step-locking-jobs-1-to-5"));
        let first = claim(&*queue, 10, &t!("spec-06-3-with-locked")).await;
        assert_eq!(
            ids(&first),
            (6..=15).collect(),
            "{}",
            t!("spec-06-3-first-ten-free")
        );
        assert!(
            first.iter().all(|j| j.attempts == 1),
            "{}",
            t!("spec-06-3-attempt-1", jobs = format!("{first:?}"))
        );
        let second = claim(&*queue, 10, &t!("spec-06-3-second-claim")).await;
        assert_eq!(
            ids(&second),
            (16..=25).collect(),
            "{}",
            t!("spec-06-3-second-gets")
        );
        other
            .rollback()
            .await
            .or_fail(|| t!("spec-06-step-unlocking-jobs-1-to-5"));
        let third = claim(&*queue, 10, &t!("spec-06-3-third-claim")).await;
        let expected: BTreeSet<i64> = (1..=5).chain(26..=30).collect();
        assert_eq!(ids(&third), expected, "{}", t!("spec-06-3-once-unlocked"));
        let fourth = claim(&*queue, 10, &t!("spec-06-3-fourth-claim")).await;
        assert!(
            fourth.is_empty(),
            "{}",
            t!("spec-06-3-all-leased", got = format!("{fourth:?}"))
        );
    })
    .await;
}

/// A worker claims 5 jobs and dies. While the lease holds nobody else gets
/// them; after it, they are claimed again as attempt 2. Completed, they stay
/// done.
pub async fn a_crashed_workers_jobs_return_after_the_lease(make: MakeQueue) {
    with_queue(make, CONFIG, users(5), |queue, pool| async move {
        let crashed = claim(&*queue, 10, &t!("spec-06-3-the-first-claim")).await;
        assert_eq!(crashed.len(), 5, "{}", t!("spec-06-3-first-gets-five"));
        let during = claim(&*queue, 10, &t!("spec-06-3-claim-during-lease")).await;
        assert!(
            during.is_empty(),
            "{}",
            t!("spec-06-3-lease-holds", got = format!("{:?}", ids(&during)))
        );
        tokio::time::sleep(LEASE + Duration::from_millis(100)).await;
        let after = claim(&*queue, 10, &t!("spec-06-3-claim-after-lease")).await;
        assert_eq!(
            ids(&after),
            ids(&crashed),
            "{}",
            t!("spec-06-3-claimable-again")
        );
        assert!(
            after.iter().all(|j| j.attempts == 2),
            "{}",
            t!("spec-06-3-attempt-2", jobs = format!("{after:?}"))
        );
        queue
            .complete(&after)
            .await
            .or_fail(|| t!("spec-06-step-completing-the-jobs"));
        tokio::time::sleep(LEASE + Duration::from_millis(100)).await;
        let done = claim(&*queue, 10, &t!("spec-06-3-claim-after-completing")).await;
        assert!(
            done.is_empty(),
            "{}",
            t!("spec-06-3-completed-never", got = format!("{done:?}"))
        );
        let states = job_states(&pool)
            .await
            .or_fail(|| t!("spec-06-step-reading-the-jobs"));
        assert_eq!(
            states.get("done"),
            Some(&5),
            "{}",
            t!("spec-06-3-five-done", states = format!("{states:?}"))
        );
    })
    .await;
}

/// Worker A claims the 10 jobs and is slow: the lease of jobs 1 to 4 runs
/// out (moved to now, so no clock decides) and worker B claims 1 to 3.
/// Returns A's batch and B's.
async fn a_slow_worker_and_a_new_holder(
    queue: &dyn DynQueue,
    pool: &PgPool,
) -> (Vec<Job>, Vec<Job>) {
    let late = claim(queue, 10, &t!("spec-06-3-worker-a-claim")).await;
    assert_eq!(late.len(), 10, "{}", t!("spec-06-3-worker-a-gets-ten"));
    sqlx::query("UPDATE email_jobs SET leased_until = now() WHERE id <= 4")
        .execute(pool)
        .await
        .or_fail(|| t!("spec-06-step-running-out-the-lease"));
    let taken = claim(queue, 3, &t!("spec-06-3-worker-b-claim")).await;
    assert_eq!(
        ids(&taken),
        (1..=3).collect(),
        "{}",
        t!("spec-06-3-by-worker-b")
    );
    (late, taken)
}

/// Worker A is slow and B has claimed 1 to 3 ([`a_slow_worker_and_a_new_holder`]).
/// A then completes its whole batch in one call: 4 to 10 are done (nobody
/// claimed job 4 since: it was delivered, and sending it again helps
/// nobody), while 1 to 3 are B's and stay as they are until B completes them.
pub async fn a_late_worker_completes_only_what_it_still_holds(make: MakeQueue) {
    with_queue(make, CONFIG, users(10), |queue, pool| async move {
        let (late, taken) = a_slow_worker_and_a_new_holder(&*queue, &pool).await;
        queue
            .complete(&late)
            .await
            .or_fail(|| t!("spec-06-step-completing-worker-a"));
        let done = ids_where(&pool, "state = 'done'").await;
        let overwritten: Vec<i64> = done.range(..=3).copied().collect();
        assert!(
            overwritten.is_empty(),
            "{}",
            t!("spec-06-3-overwritten", jobs = format!("{overwritten:?}"))
        );
        assert_eq!(done, (4..=10).collect(), "{}", t!("spec-06-3-still-holds"));
        queue
            .complete(&taken)
            .await
            .or_fail(|| t!("spec-06-step-completing-worker-b"));
        assert_eq!(
            ids_where(&pool, "state = 'done'").await,
            (1..=10).collect(),
            "{}",
            t!("spec-06-3-all-ten-done")
        );
    })
    .await;
}

/// Worker A is slow and B has claimed 1 to 3 ([`a_slow_worker_and_a_new_holder`]),
/// then completes job 1. A's sends all failed: it fails its whole batch,
/// late. Job 1 stays done and 2 and 3 stay as B's claim left them, while 4
/// to 10 fail: job 4 too, whose lease ran out but that nobody claimed since.
pub async fn a_late_fail_leaves_what_another_worker_claimed(make: MakeQueue) {
    with_queue(make, CONFIG, users(10), |queue, pool| async move {
        let (late, taken) = a_slow_worker_and_a_new_holder(&*queue, &pool).await;
        let first: Vec<Job> = taken.into_iter().filter(|j| j.id == 1).collect();
        queue
            .complete(&first)
            .await
            .or_fail(|| t!("spec-06-step-completing-job-1"));
        for job in &late {
            queue
                .fail(job, "bounced")
                .await
                .or_fail(|| t!("spec-06-step-failing-worker-a"));
        }
        assert_eq!(
            ids_where(&pool, "state = 'done'").await,
            BTreeSet::from([1]),
            "{}",
            t!("spec-06-3-late-fail-undid-done")
        );
        let as_b_claimed = "state = 'queued' AND attempts = 2 \
                            AND leased_until IS NOT NULL AND last_error IS NULL";
        assert_eq!(
            ids_where(&pool, as_b_claimed).await,
            (2..=3).collect(),
            "{}",
            t!("spec-06-3-late-fail-took-held")
        );
        let failed_by_a = "state = 'queued' AND attempts = 1 \
                           AND leased_until IS NULL AND last_error = 'bounced'";
        assert_eq!(
            ids_where(&pool, failed_by_a).await,
            (4..=10).collect(),
            "{}",
            t!("spec-06-3-late-fail-still-fails")
        );
    })
    .await;
}

/// The ids of the jobs that match `condition`, a test on `email_jobs`.
async fn ids_where(pool: &PgPool, condition: &str) -> BTreeSet<i64> {
    let sql = format!("SELECT id FROM email_jobs WHERE {condition}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .or_fail(|| t!("spec-06-step-reading-the-jobs"))
        .into_iter()
        .collect()
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
                let jobs = claim(&*queue, 1, &t!("spec-06-3-attempt", attempt = attempt)).await;
                assert_eq!(
                    jobs.iter().map(|j| j.attempts).collect::<Vec<_>>(),
                    vec![attempt],
                    "{}",
                    t!("spec-06-3-must-claim", attempt = attempt)
                );
                queue
                    .fail(&jobs[0], "bounced")
                    .await
                    .or_fail(|| t!("spec-06-step-failing-the-job"));
                let (state, wait): (String, f64) = sqlx::query_as(
                    "SELECT state, extract(epoch FROM run_at - now())::float8 FROM email_jobs",
                )
                .fetch_one(&pool)
                .await
                .or_fail(|| t!("spec-06-step-reading-the-job"));
                if attempt == config.max_attempts {
                    assert_eq!(
                        state,
                        "dead",
                        "{}",
                        t!("spec-06-3-must-be-dead", attempt = attempt)
                    );
                    break;
                }
                assert_eq!(
                    state,
                    "queued",
                    "{}",
                    t!("spec-06-3-retried", attempt = attempt)
                );
                let expected = config.backoff_after(attempt).as_secs_f64();
                assert!(
                    (expected - 0.5..=expected + 1.0).contains(&wait),
                    "{}",
                    t!(
                        "spec-06-3-backoff",
                        attempt = attempt,
                        expected = expected.to_string(),
                        wait = format!("{wait:.2}")
                    )
                );
                let early = claim(&*queue, 1, &t!("spec-06-3-claim-during-backoff")).await;
                assert!(early.is_empty(), "{}", t!("spec-06-3-not-during-backoff"));
                sqlx::query("UPDATE email_jobs SET run_at = now()")
                    .execute(&pool)
                    .await
                    .or_fail(|| t!("spec-06-step-skipping-the-backoff"));
            }
            sqlx::query("UPDATE email_jobs SET run_at = now()")
                .execute(&pool)
                .await
                .or_fail(|| t!("spec-06-step-skipping-the-backoff"));
            let after = claim(&*queue, 1, &t!("spec-06-3-claim-of-dead")).await;
            assert!(
                after.is_empty(),
                "{}",
                t!("spec-06-3-dead-never", got = format!("{after:?}"))
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

/// One worker: claims, sends, fails what bounced and completes what was
/// delivered in one call, until no job is queued; it "crashes" on its
/// batches numbered in [`CRASHES`], dropping them. The demo runs it too.
pub(crate) async fn work(queue: Arc<dyn DynQueue>, mailer: Arc<Mailer>, pool: PgPool) {
    let mut batches = 0;
    loop {
        let jobs = queue
            .claim(BATCH)
            .await
            .or_fail(|| t!("spec-06-step-a-claim"));
        if jobs.is_empty() {
            let states = job_states(&pool)
                .await
                .or_fail(|| t!("spec-06-step-reading-the-jobs"));
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
        let mut delivered = Vec::with_capacity(jobs.len());
        for job in jobs {
            match mailer.send(&job).await {
                Ok(()) => delivered.push(job),
                Err(e) => queue
                    .fail(&job, &e.to_string())
                    .await
                    .or_fail(|| t!("spec-06-step-failing-a-job")),
            }
        }
        queue
            .complete(&delivered)
            .await
            .or_fail(|| t!("spec-06-step-completing-the-delivered-jobs"));
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
                    let states = job_states(&pool).await.or_fail(|| t!("spec-06-step-reading-the-jobs"));
                    if states != last {
                        (last, since) = (states, Instant::now());
                    }
                    assert!(
                        since.elapsed() < STALL,
                        "{}",
                        t!(
                            "spec-06-3-stopped-draining",
                            stall = format!("{STALL:?}"),
                            workers = WORKERS,
                            states = format!("{last:?}")
                        )
                    );
                }
            }
        }
        let overlaps = mailer.overlaps();
        assert!(
            overlaps.is_empty(),
            "{}",
            t!(
                "spec-06-3-overlaps",
                jobs = overlaps.len(),
                first = overlaps[0]
            )
        );
        let delivered = mailer.delivered();
        let twice: Vec<(&i64, &usize)> = delivered.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            twice.is_empty(),
            "{}",
            t!(
                "spec-06-3-twice",
                jobs = twice.len(),
                job = twice[0].0,
                times = twice[0].1
            )
        );
        let bounces: BTreeSet<i64> = (1..=JOBS as i64)
            .filter(|i| jobs[*i as usize - 1].starts_with("bounce"))
            .collect();
        let missing: Vec<i64> = (1..=JOBS as i64)
            .filter(|i| !bounces.contains(i) && !delivered.contains_key(i))
            .collect();
        assert!(
            missing.is_empty(),
            "{}",
            t!(
                "spec-06-3-missing",
                jobs = missing.len(),
                first = missing[0]
            )
        );
        assert_eq!(
            ids_where(&pool, "state = 'dead'").await,
            bounces,
            "{}",
            t!("spec-06-3-dead-letters")
        );
        let states: HashMap<String, i64> = job_states(&pool).await.or_fail(|| t!("spec-06-step-reading-the-jobs"));
        let good = (JOBS - bounces.len()) as i64;
        assert_eq!(
            states.get("done"),
            Some(&good),
            "{}",
            t!(
                "spec-06-3-good-done",
                good = good,
                states = format!("{states:?}")
            )
        );
    })
    .await;
}
