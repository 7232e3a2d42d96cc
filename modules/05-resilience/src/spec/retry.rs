//! Spec of 05.2, on tokio's paused clock: the retrier's `sleep`s pass at once
//! and exactly, so each wait is measured to the millisecond and compared with
//! the one the seed gives.

use super::erased::DynRetry;
use super::together;
use crate::retry::{Attempt, Jitter, RetryPolicy};
use racecourse_kit::i18n::t;
use racecourse_kit::spec::{Check, Runtime};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Makes a retrier with this policy and seed.
pub type MakeRetry = fn(RetryPolicy, u64) -> Arc<dyn DynRetry>;

/// The checks of 05.2.
pub fn checks(make: MakeRetry) -> Vec<Check> {
    vec![
        Check::new(
            "the_waits_for_a_seed_are_exact",
            Runtime::PausedClock,
            the_waits_for_a_seed_are_exact(make),
        ),
        Check::new(
            "only_timeouts_429_and_503_are_retried",
            Runtime::PausedClock,
            only_timeouts_429_and_503_are_retried(make),
        ),
        Check::new(
            "retry_after_is_obeyed",
            Runtime::PausedClock,
            retry_after_is_obeyed(make),
        ),
        Check::new(
            "the_budget_caps_retries",
            Runtime::PausedClock,
            the_budget_caps_retries(make),
        ),
    ]
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Eight attempts, waits from 100 ms doubling to a cap of 2 s, a budget that
/// never runs out here.
pub fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 8,
        base: ms(100),
        cap: ms(2000),
        budget_retries: 1000,
        budget_percent: 10,
    }
}

/// A fake server: answers each attempt from a script (the last entry
/// repeats) and notes when each attempt came.
struct Server {
    script: Vec<Attempt>,
    at: Mutex<Vec<Instant>>,
}

impl Server {
    fn new(script: Vec<Attempt>) -> Arc<Server> {
        Arc::new(Server {
            script,
            at: Mutex::new(Vec::new()),
        })
    }

    /// The attempt function a retrier calls.
    fn call(
        self: &Arc<Self>,
    ) -> impl Fn() -> Pin<Box<dyn Future<Output = Attempt> + Send>> + Send + Sync + 'static {
        let server = self.clone();
        move || {
            let server = server.clone();
            Box::pin(async move {
                let mut at = server.at.lock().unwrap();
                at.push(Instant::now());
                server.script[(at.len() - 1).min(server.script.len() - 1)]
            })
        }
    }

    fn attempts(&self) -> usize {
        self.at.lock().unwrap().len()
    }

    /// The waits between attempts.
    fn waits(&self) -> Vec<Duration> {
        let at = self.at.lock().unwrap();
        at.windows(2).map(|w| w[1] - w[0]).collect()
    }
}

/// Runs one call of `retry` against `server`.
async fn run(retry: &dyn DynRetry, server: &Arc<Server>) -> Attempt {
    let call = server.call();
    retry.call(&call).await
}

/// The `n`th retry waits `Jitter::below(min(cap, base * 2^n))`, one draw each.
pub async fn the_waits_for_a_seed_are_exact(make: MakeRetry) {
    for seed in [42, 7] {
        let policy = policy();
        let retry = make(policy.clone(), seed);
        let server = Server::new(vec![Attempt::status(503)]);
        let last = run(&*retry, &server).await;
        assert!(
            server.attempts() == 8,
            "{}",
            t!("spec-05-2-attempts", attempts = server.attempts())
        );
        assert_eq!(
            last,
            Attempt::status(503),
            "{}",
            t!("spec-05-2-last-answer")
        );
        let mut jitter = Jitter::new(seed);
        let ceilings: Vec<Duration> = (0..7)
            .map(|n| (policy.base * (1 << n)).min(policy.cap))
            .collect();
        let expected: Vec<Duration> = ceilings.iter().map(|c| jitter.below(*c)).collect();
        let waits = server.waits();
        for (n, (got, want)) in waits.iter().zip(&expected).enumerate() {
            assert!(
                got <= &ceilings[n],
                "{}",
                t!(
                    "spec-05-2-above-ceiling",
                    seed = seed,
                    retry = n,
                    got = format!("{got:?}"),
                    ceiling = format!("{:?}", ceilings[n]),
                    cap = format!("{:?}", policy.cap)
                )
            );
            assert!(
                got == want,
                "{}",
                t!(
                    "spec-05-2-wrong-wait",
                    seed = seed,
                    retry = n,
                    got = format!("{got:?}"),
                    want = format!("{want:?}"),
                    ceilings = format!("{ceilings:?}"),
                    waits = format!("{waits:?}"),
                    expected = format!("{expected:?}")
                )
            );
        }
    }
}

/// A timeout, 429 and 503 are retried; a success and every other 4xx are not.
pub async fn only_timeouts_429_and_503_are_retried(make: MakeRetry) {
    let retry = make(policy(), 1);
    for status in [200, 201, 400, 401, 403, 404, 409, 422] {
        let server = Server::new(vec![Attempt::status(status), Attempt::status(200)]);
        let last = run(&*retry, &server).await;
        assert!(
            server.attempts() == 1,
            "{}",
            t!(
                "spec-05-2-retried-4xx",
                status = status,
                attempts = server.attempts()
            )
        );
        assert_eq!(
            last,
            Attempt::status(status),
            "{}",
            t!("spec-05-2-returns-status", status = status)
        );
    }
    for first in [
        Attempt::TimedOut,
        Attempt::status(429),
        Attempt::status(503),
    ] {
        let server = Server::new(vec![first, Attempt::status(200)]);
        let last = run(&*retry, &server).await;
        assert!(
            server.attempts() == 2 && last == Attempt::status(200),
            "{}",
            t!(
                "spec-05-2-expected-retry",
                first = format!("{first:?}"),
                attempts = server.attempts(),
                last = format!("{last:?}")
            )
        );
    }
}

/// `Retry-After` sets the wait (no draw from the jitter); one longer than
/// `cap` ends the call.
pub async fn retry_after_is_obeyed(make: MakeRetry) {
    let seed = 3;
    let retry = make(policy(), seed);
    let busy = Attempt::Answer {
        status: 503,
        retry_after: Some(ms(1500)),
    };
    let server = Server::new(vec![busy, Attempt::status(200)]);
    assert_eq!(run(&*retry, &server).await, Attempt::status(200));
    assert!(
        server.waits() == [ms(1500)],
        "{}",
        t!(
            "spec-05-2-retry-after-wait",
            waits = format!("{:?}", server.waits())
        )
    );
    let server = Server::new(vec![Attempt::status(503), Attempt::status(200)]);
    run(&*retry, &server).await;
    let first_draw = Jitter::new(seed).below(policy().base);
    assert!(
        server.waits() == [first_draw],
        "{}",
        t!(
            "spec-05-2-first-draw",
            draw = format!("{first_draw:?}"),
            waits = format!("{:?}", server.waits())
        )
    );

    let too_long = Attempt::Answer {
        status: 429,
        retry_after: Some(Duration::from_secs(5)),
    };
    let server = Server::new(vec![too_long, Attempt::status(200)]);
    let last = run(&*retry, &server).await;
    assert!(
        server.attempts() == 1 && last == too_long,
        "{}",
        t!(
            "spec-05-2-too-long",
            attempts = server.attempts(),
            last = format!("{last:?}")
        )
    );
}

/// 100 calls at once to a server that always fails spend the budget's 10
/// retries and what their calls add, no more; then, the budget empty, every
/// fifth call earns one.
pub async fn the_budget_caps_retries(make: MakeRetry) {
    let policy = RetryPolicy {
        max_attempts: 4,
        base: ms(10),
        cap: ms(100),
        budget_retries: 10,
        budget_percent: 20,
    };
    let retry = make(policy, 5);
    let server = Server::new(vec![Attempt::status(503)]);
    together(100, |_| {
        let (retry, server) = (retry.clone(), server.clone());
        async move { run(&*retry, &server).await }
    })
    .await;
    let retries = server.attempts() - 100;
    assert!(
        (10..=30).contains(&retries),
        "{}",
        t!("spec-05-2-budget", retries = retries)
    );
    let server = Server::new(vec![Attempt::status(503)]);
    for _ in 0..50 {
        run(&*retry, &server).await;
    }
    assert!(
        server.attempts() == 60,
        "{}",
        t!("spec-05-2-empty-budget", attempts = server.attempts())
    );
}
