//! 05.2: retriers that look fixed. They share the right parts ([`Parts`]: the
//! budget, the jittered backoff, which outcomes to retry); each writes its
//! own loop and gets one thing wrong in it.

use crate::retry::{Attempt, Call, Jitter, Retry, RetryPolicy};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::sleep;

/// A retry, in thousandths: the budget counts in them.
const WHOLE: u64 = 1000;

struct Parts {
    policy: RetryPolicy,
    jitter: Mutex<Jitter>,
    /// Thousandths of a retry left in the budget.
    budget: Mutex<u64>,
}

impl Parts {
    fn new(policy: RetryPolicy, seed: u64) -> Parts {
        let full = policy.budget_retries as u64 * WHOLE;
        Parts {
            policy,
            jitter: Mutex::new(Jitter::new(seed)),
            budget: Mutex::new(full),
        }
    }

    /// A call's first attempt adds its share to the budget.
    fn deposit(&self) {
        let mut budget = self.budget.lock().unwrap();
        let full = self.policy.budget_retries as u64 * WHOLE;
        *budget = (*budget + self.policy.budget_percent as u64 * WHOLE / 100).min(full);
    }

    /// Takes one retry from the budget, if it holds one.
    fn withdraw(&self) -> bool {
        let mut budget = self.budget.lock().unwrap();
        let ok = *budget >= WHOLE;
        if ok {
            *budget -= WHOLE;
        }
        ok
    }

    /// The ceiling of the `n`th retry's wait.
    fn ceiling(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n).unwrap_or(u32::MAX);
        self.policy
            .base
            .checked_mul(factor)
            .unwrap_or(self.policy.cap)
            .min(self.policy.cap)
    }

    fn jittered(&self, n: u32) -> Duration {
        self.jitter.lock().unwrap().below(self.ceiling(n))
    }
}

fn retryable(attempt: &Attempt) -> bool {
    match attempt {
        Attempt::TimedOut => true,
        Attempt::Answer { status, .. } => *status == 429 || *status == 503,
    }
}

fn retry_after(attempt: &Attempt) -> Option<Duration> {
    match attempt {
        Attempt::Answer { retry_after, .. } => *retry_after,
        Attempt::TimedOut => None,
    }
}

// ANCHOR: no_jitter
/// Capped exponential backoff, budget, Retry-After, but no jitter: every
/// client that failed at the same moment retries at the same moment, 100 ms
/// later, then 200 ms, in lockstep, so each retry is a new spike. Caught by
/// the waits a seed must give.
pub struct NoJitter(Parts);

impl Retry for NoJitter {
    async fn call(&self, call: Call<'_>) -> Attempt {
        self.0.deposit();
        let mut attempt = call().await;
        for n in 0..self.0.policy.max_attempts - 1 {
            if !retryable(&attempt) {
                break;
            }
            let wait = match retry_after(&attempt) {
                Some(wait) if wait > self.0.policy.cap => break,
                Some(wait) => wait,
                None => self.0.ceiling(n),
            };
            if !self.0.withdraw() {
                break;
            }
            sleep(wait).await;
            attempt = call().await;
        }
        attempt
    }
    // ANCHOR_END: no_jitter

    fn new(policy: RetryPolicy, seed: u64) -> Self {
        NoJitter(Parts::new(policy, seed))
    }
}

// ANCHOR: retries_4xx
/// Right in every way but one: it retries any failure, `status >= 400`. A
/// 400, 401 or 422 will fail the same way every time: each retry is wasted
/// load, and the client waits seconds for the error it had at once. Caught
/// when a 400 is sent twice.
pub struct RetriesAny4xx(Parts);

impl Retry for RetriesAny4xx {
    async fn call(&self, call: Call<'_>) -> Attempt {
        self.0.deposit();
        let mut attempt = call().await;
        for n in 0..self.0.policy.max_attempts - 1 {
            let failed = match attempt {
                Attempt::TimedOut => true,
                Attempt::Answer { status, .. } => status >= 400,
            };
            if !failed {
                break;
            }
            let wait = match retry_after(&attempt) {
                Some(wait) if wait > self.0.policy.cap => break,
                Some(wait) => wait,
                None => self.0.jittered(n),
            };
            if !self.0.withdraw() {
                break;
            }
            sleep(wait).await;
            attempt = call().await;
        }
        attempt
    }
    // ANCHOR_END: retries_4xx

    fn new(policy: RetryPolicy, seed: u64) -> Self {
        RetriesAny4xx(Parts::new(policy, seed))
    }
}

// ANCHOR: no_budget
/// Jittered, capped, only retryable outcomes, Retry-After obeyed, but no
/// budget: each call on its own is polite, yet when the server fails every
/// call retries `max_attempts - 1` times, and the failing server gets four
/// times its load. Caught by 100 calls at once that must make 110 attempts.
pub struct NoBudget(Parts);

impl Retry for NoBudget {
    async fn call(&self, call: Call<'_>) -> Attempt {
        let mut attempt = call().await;
        for n in 0..self.0.policy.max_attempts - 1 {
            if !retryable(&attempt) {
                break;
            }
            let wait = match retry_after(&attempt) {
                Some(wait) if wait > self.0.policy.cap => break,
                Some(wait) => wait,
                None => self.0.jittered(n),
            };
            sleep(wait).await;
            attempt = call().await;
        }
        attempt
    }
    // ANCHOR_END: no_budget

    fn new(policy: RetryPolicy, seed: u64) -> Self {
        NoBudget(Parts::new(policy, seed))
    }
}

// ANCHOR: ignores_retry_after
/// Everything right except `Retry-After`: it always waits its own backoff.
/// A server that says "come back in 1.5 s" (it is restarting, or rate
/// limiting this client) gets the retry after 60 ms, which fails too and
/// spends budget; and one that says "in an hour" is retried in a second.
/// Caught by a 503 with Retry-After: 1.5 s.
pub struct IgnoresRetryAfter(Parts);

impl Retry for IgnoresRetryAfter {
    async fn call(&self, call: Call<'_>) -> Attempt {
        self.0.deposit();
        let mut attempt = call().await;
        for n in 0..self.0.policy.max_attempts - 1 {
            if !retryable(&attempt) || !self.0.withdraw() {
                break;
            }
            sleep(self.0.jittered(n)).await;
            attempt = call().await;
        }
        attempt
    }
    // ANCHOR_END: ignores_retry_after

    fn new(policy: RetryPolicy, seed: u64) -> Self {
        IgnoresRetryAfter(Parts::new(policy, seed))
    }
}
