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
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::time::Instant;

/// A breaker in memory: its state and its counts under one lock.
pub struct MemBreaker {
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

struct Inner {
    state: State,
    /// Changes at every transition: a permit from another epoch is stale.
    epoch: u64,
    /// When the state last changed (open: when it opened).
    since: Instant,
    /// The last `window` outcomes while closed, `true` for a failure.
    window: VecDeque<bool>,
    in_a_row: u32,
    probes_out: u32,
    probes_ok: u32,
}

impl Inner {
    fn enter(&mut self, state: State) {
        self.state = state;
        self.epoch += 1;
        self.since = Instant::now();
        self.window.clear();
        self.in_a_row = 0;
        self.probes_out = 0;
        self.probes_ok = 0;
    }
}

impl MemBreaker {
    /// The state, after turning open into half-open if its wait is over.
    fn now<'a>(&self, inner: &'a mut Inner) -> &'a mut Inner {
        if inner.state == State::Open && inner.since.elapsed() >= self.config.open_wait {
            inner.enter(State::HalfOpen);
        }
        inner
    }

    /// Counts a closed call: true when the breaker must open.
    fn trips(&self, inner: &mut Inner, failed: bool) -> bool {
        inner.in_a_row = if failed { inner.in_a_row + 1 } else { 0 };
        inner.window.push_back(failed);
        if inner.window.len() > self.config.window {
            inner.window.pop_front();
        }
        let calls = inner.window.len();
        let failures = inner.window.iter().filter(|f| **f).count();
        inner.in_a_row >= self.config.consecutive_failures
            || (calls >= self.config.minimum_calls
                && failures * 100 >= self.config.failure_rate_percent as usize * calls)
    }
}

impl Breaker for MemBreaker {
    fn new(config: BreakerConfig) -> Self {
        MemBreaker {
            config,
            inner: Mutex::new(Inner {
                state: State::Closed,
                epoch: 0,
                since: Instant::now(),
                window: VecDeque::new(),
                in_a_row: 0,
                probes_out: 0,
                probes_ok: 0,
            }),
        }
    }

    // ANCHOR: acquire
    fn acquire(&self) -> Result<Permit, Rejected> {
        let mut guard = self.inner.lock().unwrap();
        let inner = self.now(&mut guard);
        let admit = match inner.state {
            State::Closed => true,
            State::Open => false,
            State::HalfOpen => {
                // Counted under the same lock as the check: exactly N.
                let admit = inner.probes_out < self.config.half_open_probes;
                inner.probes_out += admit as u32;
                admit
            }
        };
        if !admit {
            return Err(Rejected);
        }
        Ok(Permit {
            started: Instant::now(),
            epoch: inner.epoch,
        })
    }
    // ANCHOR_END: acquire

    // ANCHOR: record
    fn record(&self, permit: Permit, outcome: Outcome) {
        let mut guard = self.inner.lock().unwrap();
        let inner = self.now(&mut guard);
        if permit.epoch != inner.epoch {
            return; // issued in a state that is over: not this state's call
        }
        let slow = self
            .config
            .slow_call
            .is_some_and(|limit| permit.started.elapsed() >= limit);
        let failed = outcome == Outcome::Failure || slow;
        match inner.state {
            State::Closed => {
                if self.trips(inner, failed) {
                    inner.enter(State::Open);
                }
            }
            State::Open => {}
            State::HalfOpen if failed => inner.enter(State::Open),
            State::HalfOpen => {
                inner.probes_ok += 1;
                if inner.probes_ok == self.config.half_open_probes {
                    inner.enter(State::Closed);
                }
            }
        }
    }
    // ANCHOR_END: record

    fn state(&self) -> State {
        let mut guard = self.inner.lock().unwrap();
        self.now(&mut guard).state
    }
}
