//! # 05.2 Retry: capped exponential backoff, full jitter, a budget
//!
//! **The failure.** A server that fails under load gets every request again,
//! and again: retries at once, by every client at the same moment, of
//! requests that cannot succeed (a 400 fails the same way every time), turn
//! a bad minute into an outage. Retries help only when they are few, spread
//! out, and sent when the server can take them.
//!
//! **Your task.** `call` runs the attempt, and while the outcome is
//! retryable (a timeout, 429, 503; nothing else), attempts are left and the
//! budget holds a retry, waits and tries again; it returns the last
//! attempt. The wait is the answer's `Retry-After` if it has one (longer than
//! `cap`: give up at once), else `jitter.below(min(cap, base * 2^n))` for the
//! `n`th retry (from 0): one draw per backoff, from the retrier's one
//! `Jitter`. The budget: starts with `budget_retries` retries and never holds
//! more; each call adds `budget_percent`% of a retry at its start; each retry
//! takes one.
//!
//! **The spec checks**, on tokio's paused clock, the exact waits for two
//! seeds; that a 4xx other than 429 is never retried and a timeout, 429 and
//! 503 are; that Retry-After sets the wait and draws no jitter; and that 100
//! calls at once to a failing server make 10 retries, not 300.
//!
//! Run `cargo xtask test 05.2`; stuck? `cargo xtask hint 05.2`.

use racecourse_05::{Attempt, Call, Jitter, Retry, RetryPolicy};
use std::sync::Mutex;
use std::time::Duration;

/// Thousandths of a retry: the budget counts in them, so 20% is exact.
const WHOLE: u64 = 1000;

/// A retrier: its policy, its random source and its budget, shared by every
/// call.
pub struct Retrier {
    policy: RetryPolicy,
    jitter: Mutex<Jitter>,
    /// Thousandths of a retry left.
    budget: Mutex<u64>,
}

impl Retrier {
    fn full(&self) -> u64 {
        self.policy.budget_retries as u64 * WHOLE
    }

    // ANCHOR: budget
    fn deposit(&self) {
        let mut budget = self.budget.lock().unwrap();
        *budget = (*budget + self.policy.budget_percent as u64 * WHOLE / 100).min(self.full());
    }

    fn withdraw(&self) -> bool {
        let mut budget = self.budget.lock().unwrap();
        let ok = *budget >= WHOLE;
        if ok {
            *budget -= WHOLE;
        }
        ok
    }
    // ANCHOR_END: budget

    // ANCHOR: backoff
    /// The `n`th retry's wait: full jitter below a capped, doubling ceiling.
    fn backoff(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n).unwrap_or(u32::MAX);
        let ceiling = self
            .policy
            .base
            .checked_mul(factor)
            .map_or(self.policy.cap, |c| c.min(self.policy.cap));
        self.jitter.lock().unwrap().below(ceiling)
    }
    // ANCHOR_END: backoff
}

/// What a retry can fix: the server was busy or slow, not the request wrong.
fn retryable(attempt: &Attempt) -> bool {
    match attempt {
        Attempt::TimedOut => true,
        Attempt::Answer { status, .. } => matches!(status, 429 | 503),
    }
}

impl Retry for Retrier {
    fn new(policy: RetryPolicy, seed: u64) -> Self {
        let full = policy.budget_retries as u64 * WHOLE;
        Retrier {
            policy,
            jitter: Mutex::new(Jitter::new(seed)),
            budget: Mutex::new(full),
        }
    }

    // ANCHOR: call
    async fn call(&self, call: Call<'_>) -> Attempt {
        self.deposit();
        let mut attempt = call().await;
        for n in 0..self.policy.max_attempts.saturating_sub(1) {
            if !retryable(&attempt) {
                break;
            }
            let retry_after = match attempt {
                Attempt::Answer { retry_after, .. } => retry_after,
                Attempt::TimedOut => None,
            };
            if retry_after.is_some_and(|wait| wait > self.policy.cap) || !self.withdraw() {
                break;
            }
            let wait = retry_after.unwrap_or_else(|| self.backoff(n));
            tokio::time::sleep(wait).await;
            attempt = call().await;
        }
        attempt
    }
    // ANCHOR_END: call
}
