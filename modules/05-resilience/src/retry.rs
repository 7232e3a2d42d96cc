//! Exercise 05.2: retries that help a struggling service instead of burying
//! it. A retry is another request to a service that is already failing; done
//! naively (at once, forever, by every client in step) retries multiply the
//! load exactly when there is least capacity for it.
//!
//! So: a maximum number of attempts; between them capped exponential backoff
//! with full jitter (each client waits a random time below a ceiling that
//! doubles, so their retries spread out instead of arriving together); only
//! outcomes a retry can fix are retried (a timeout, 503, 429; never another
//! 4xx, which will fail the same way again); a `Retry-After` the server sends
//! is obeyed; and a retry budget caps retries at a fraction of first attempts,
//! so that when everything fails the load grows by that fraction and not by
//! the number of attempts.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

// ANCHOR: policy
/// How a [`Retry`] retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// The ceiling of the first retry's wait: the `n`th retry (from 0) waits a
    /// random time in `[0, min(cap, base * 2^n)]`, drawn with [`Jitter::below`].
    pub base: Duration,
    /// The largest wait; also the longest `Retry-After` obeyed (a longer one
    /// ends the call with the answer that carried it).
    pub cap: Duration,
    /// The retry budget holds at most this many retries and starts full...
    pub budget_retries: u32,
    /// ... and each call (its first attempt) adds this percentage of one
    /// retry to it (up to the most it holds); each retry takes one whole
    /// retry out. An empty budget ends the call with its last answer.
    pub budget_percent: u32,
}
// ANCHOR_END: policy

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The server answered with this status, and maybe a `Retry-After`.
    Answer {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// No answer within the attempt's timeout.
    TimedOut,
}

impl Attempt {
    /// An answer without `Retry-After`.
    pub fn status(status: u16) -> Attempt {
        Attempt::Answer {
            status,
            retry_after: None,
        }
    }
}

/// One attempt of the call being retried: each call of it sends the request
/// once more.
pub type Call<'a> = &'a (dyn Fn() -> Pin<Box<dyn Future<Output = Attempt> + Send>> + Send + Sync);

// ANCHOR: jitter
/// The retrier's random source: SplitMix64 from a seed, so that a seed gives
/// the same waits on every run and every machine (the spec checks them).
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Jitter {
        Jitter(seed)
    }

    /// A wait drawn uniformly from `[0, ceiling]`, in whole milliseconds. Draw
    /// exactly once per backoff, none for a wait `Retry-After` sets.
    pub fn below(&mut self, ceiling: Duration) -> Duration {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let ceiling_ms = ceiling.as_millis() as u64;
        Duration::from_millis(z % (ceiling_ms + 1))
    }
}
// ANCHOR_END: jitter

/// A retrier, shared by every call to one service (its budget and its jitter
/// are shared too). Its clock is tokio's: it waits with `tokio::time::sleep`.
pub trait Retry: Send + Sync + 'static {
    /// A retrier with a full budget, drawing its waits from `Jitter::new(seed)`.
    fn new(policy: RetryPolicy, seed: u64) -> Self
    where
        Self: Sized;

    /// Runs `call` until an attempt needs no retry (success, or an answer no
    /// retry can fix), `max_attempts` are made, the budget is empty or a
    /// `Retry-After` is longer than `cap`, and returns the last attempt.
    /// Retried: `TimedOut`, 429 and 503. Before a retry it waits the server's
    /// `Retry-After` if the answer has one, else the jittered backoff.
    fn call(&self, call: Call<'_>) -> impl Future<Output = Attempt> + Send;
}
