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

use racecourse_05::{Attempt, Call, Retry, RetryPolicy};

/// A retrier. Choose what it holds besides its policy: the `Jitter` (made
/// from the seed, behind a `std::sync::Mutex`, shared by every call) and the
/// budget (in thousandths of a retry, so that 20% is exact).
pub struct Retrier {
    policy: RetryPolicy,
    seed: u64,
}

impl Retry for Retrier {
    fn new(policy: RetryPolicy, seed: u64) -> Self {
        Retrier { policy, seed }
    }

    async fn call(&self, call: Call<'_>) -> Attempt {
        let _ = (call, &self.policy, self.seed);
        todo!("05.2 exercises/05-resilience/src/retry.rs: Retrier::call")
    }
}
