//! # 05.1 Circuit breaker (in memory)
//!
//! **The failure.** A dependency that is down makes every call to it wait
//! for its timeout, and every caller keeps calling: threads, connections and
//! the users' patience run out in front of it, and its recovery is met by the
//! whole backlog at once. A breaker notices the failures, refuses calls at
//! once for a while (OPEN), then lets a few probes through (HALF_OPEN) and
//! closes again when they succeed.
//!
//! **Your task.** `acquire` gives a permit or refuses; `record` takes the
//! permit back with the call's outcome. Closed: count each outcome (a call
//! that took `slow_call` or longer is a failure) and open on
//! `consecutive_failures` in a row, or on a failure rate of
//! `failure_rate_percent` over the last `window` calls once there are
//! `minimum_calls`. Open: refuse until `open_wait` has passed, then turn
//! half-open. Half-open: hand out exactly `half_open_probes` permits; a
//! failed probe reopens, all succeeding close. Give each permit the epoch of
//! the state it was issued in, and ignore outcomes from another epoch.
//!
//! **The spec checks**, on tokio's paused clock, each rule on its own (a
//! success ends a run of failures, the rate counts only the last 10 calls
//! and only from 6, slow successes are failures), the open wait to the
//! second, that 10 callers at once on a half-open breaker get exactly 2
//! permits, that late outcomes from before the circuit opened change
//! nothing; and on four threads, 64 callers at once, 20 rounds.
//!
//! Run `cargo xtask test 05.1`; stuck? `cargo xtask hint 05.1`.

use racecourse_05::{Breaker, BreakerConfig, Outcome, Permit, Rejected, State};

/// A breaker in memory. Choose what it holds besides its configuration: the
/// state and its epoch, when it last changed, the window of recent outcomes,
/// the failures in a row, the probes out and back; all under one
/// `std::sync::Mutex` (nothing here waits).
pub struct MemBreaker {
    config: BreakerConfig,
}

impl Breaker for MemBreaker {
    fn new(config: BreakerConfig) -> Self {
        MemBreaker { config }
    }

    fn acquire(&self) -> Result<Permit, Rejected> {
        let _config = &self.config;
        todo!("05.1 exercises/05-resilience/src/breaker.rs: MemBreaker::acquire")
    }

    fn record(&self, permit: Permit, outcome: Outcome) {
        todo!(
            "05.1 exercises/05-resilience/src/breaker.rs: MemBreaker::record({permit:?}, {outcome:?})"
        )
    }

    /// Closed, open, or half-open once `config.open_wait` is over.
    fn state(&self) -> State {
        todo!("05.1 exercises/05-resilience/src/breaker.rs: MemBreaker::state")
    }
}
