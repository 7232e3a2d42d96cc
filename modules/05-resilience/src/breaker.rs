//! Exercise 05.1: a circuit breaker. A service whose dependency is down should
//! stop calling it for a while, answer at once instead of waiting on every
//! call, and try again carefully: a few probe calls, not the whole traffic.
//!
//! The breaker is CLOSED (calls go through, outcomes are counted), OPEN (calls
//! are refused at once, for [`BreakerConfig::open_wait`]) or HALF_OPEN (a
//! fixed number of probe calls go through; their outcomes close it again or
//! reopen it). Its clock is tokio's (`tokio::time::Instant`): the spec pauses
//! it and moves it forward, so a wait of a minute is checked in microseconds.
//!
//! A caller asks for a [`Permit`] before each call and hands it back with the
//! call's [`Outcome`]:
//!
//! ```ignore
//! let permit = breaker.acquire().map_err(|_| Error::CircuitOpen)?;
//! let result = gateway.charge(order).await;
//! breaker.record(permit, if result.is_ok() { Outcome::Success } else { Outcome::Failure });
//! ```

use std::fmt;
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: config
/// When the breaker opens and how it recovers. [`BreakerConfig::default`]
/// follows resilience4j's defaults where it has one (the book's chapter
/// compares them with failsafe's).
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerConfig {
    /// Open after this many failures in a row (resilience4j has no such rule;
    /// failsafe's `failureThreshold` default is 1; the seeds' Go breaker 5).
    pub consecutive_failures: u32,
    /// Open when at least this percentage of the last `window` calls failed
    /// (resilience4j `failureRateThreshold`, 50)...
    pub failure_rate_percent: u32,
    /// ... counted over the last this many calls (`slidingWindowSize`, 100,
    /// `COUNT_BASED`)...
    pub window: usize,
    /// ... once the window holds at least this many calls
    /// (`minimumNumberOfCalls`, 100): one failure of one call is not a rate.
    pub minimum_calls: usize,
    /// A call that took this long or longer counts as a failure, whatever it
    /// answered (`slowCallDurationThreshold`, 60 s; resilience4j counts a
    /// separate slow-call rate, this breaker counts them as failures). `None`:
    /// duration does not matter.
    pub slow_call: Option<Duration>,
    /// How long the breaker stays open before it lets probes through
    /// (`waitDurationInOpenState`, 60 s).
    pub open_wait: Duration,
    /// How many probe calls half-open lets through; all must succeed to close
    /// (`permittedNumberOfCallsInHalfOpenState`, 10).
    pub half_open_probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            consecutive_failures: 5,
            failure_rate_percent: 50,
            window: 100,
            minimum_calls: 100,
            slow_call: Some(Duration::from_secs(60)),
            open_wait: Duration::from_secs(60),
            half_open_probes: 10,
        }
    }
}
// ANCHOR_END: config

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

/// What the caller's call came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

/// Leave to make one call, handed back to [`Breaker::record`] with its
/// outcome. The breaker fills it in: when the call started (to tell a slow
/// call) and `epoch`, a number the breaker changes at every transition, so
/// that an outcome arriving after the state changed (a call that started
/// before the circuit opened and ends while probes run) is not taken for a
/// probe's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    pub started: Instant,
    pub epoch: u64,
}

/// The breaker refused the call: it is open, or half-open with every probe
/// already out. The caller fails at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected;

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the circuit is open: the call was refused without being made")
    }
}

impl std::error::Error for Rejected {}

/// A circuit breaker, shared by every caller of one dependency. Its methods
/// are quick and never wait, so they are plain functions: a `Mutex` held for
/// the few instructions of each is right.
pub trait Breaker: Send + Sync + 'static {
    /// A closed breaker with this configuration.
    fn new(config: BreakerConfig) -> Self
    where
        Self: Sized;

    /// A permit for one call, or `Rejected`. Open: refused, until
    /// `open_wait` has passed since it opened; then half-open, where exactly
    /// `half_open_probes` permits are given, however many callers ask at
    /// once, and every other caller is refused.
    fn acquire(&self) -> Result<Permit, Rejected>;

    /// The outcome of the call `permit` allowed. Closed: a failure (or a slow
    /// call) opens the breaker when it makes `consecutive_failures` in a row,
    /// or, with at least `minimum_calls` in the window of the last `window`
    /// calls, a failure rate of `failure_rate_percent` or more; a success
    /// ends a run of failures. Half-open: a failed probe reopens it at once
    /// (for a new `open_wait`); when every probe has succeeded it closes, with
    /// an empty window. An outcome whose permit is from an earlier state
    /// (another epoch) changes nothing.
    fn record(&self, permit: Permit, outcome: Outcome);

    /// The state now (open turns half-open when its wait is over).
    fn state(&self) -> State;
}
