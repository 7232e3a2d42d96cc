//! The spec's own circuit breaker: the one 05.4's client is given, so that
//! 05.4 does not depend on the student's 05.1, and the one the demo's naive
//! side never uses. The wrong fixes of 05.1 (`crate::wrong::breaker`) are
//! built from its [`Core`], each getting one step wrong.

use crate::breaker::{Breaker, BreakerConfig, Outcome, Permit, Rejected, State};
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::time::Instant;

/// A breaker's bookkeeping, right, with no lock: each step a small method.
pub(crate) struct Core {
    pub(crate) config: BreakerConfig,
    pub(crate) state: State,
    pub(crate) epoch: u64,
    opened_at: Instant,
    /// The last `window` outcomes in the closed state: `true` is a failure.
    window: VecDeque<bool>,
    consecutive: u32,
    /// Probes handed out, and those that came back successful.
    pub(crate) probes_out: u32,
    pub(crate) probes_ok: u32,
}

impl Core {
    pub(crate) fn new(config: BreakerConfig) -> Core {
        Core {
            config,
            state: State::Closed,
            epoch: 0,
            opened_at: Instant::now(),
            window: VecDeque::new(),
            consecutive: 0,
            probes_out: 0,
            probes_ok: 0,
        }
    }

    /// Open turns half-open once its wait is over.
    pub(crate) fn tick(&mut self) {
        if self.state == State::Open && self.opened_at.elapsed() >= self.config.open_wait {
            self.enter(State::HalfOpen);
        }
    }

    pub(crate) fn enter(&mut self, state: State) {
        self.state = state;
        self.epoch += 1;
        self.opened_at = Instant::now();
        self.window.clear();
        self.consecutive = 0;
        self.probes_out = 0;
        self.probes_ok = 0;
    }

    pub(crate) fn permit(&self) -> Permit {
        Permit {
            started: Instant::now(),
            epoch: self.epoch,
        }
    }

    /// A failure, or a call slower than the slow-call limit.
    pub(crate) fn failed(&self, permit: &Permit, outcome: Outcome) -> bool {
        outcome == Outcome::Failure
            || self
                .config
                .slow_call
                .is_some_and(|limit| permit.started.elapsed() >= limit)
    }

    /// Counts a closed call's outcome: true when the breaker must open.
    pub(crate) fn count(&mut self, failed: bool) -> bool {
        self.consecutive = if failed { self.consecutive + 1 } else { 0 };
        self.window.push_back(failed);
        if self.window.len() > self.config.window {
            self.window.pop_front();
        }
        let failures = self.window.iter().filter(|f| **f).count();
        self.consecutive >= self.config.consecutive_failures
            || (self.window.len() >= self.config.minimum_calls
                && failures * 100 >= self.config.failure_rate_percent as usize * self.window.len())
    }

    /// A probe's outcome: reopen on a failure, close when all succeeded.
    pub(crate) fn probe(&mut self, failed: bool) {
        if failed {
            self.enter(State::Open);
        } else {
            self.probes_ok += 1;
            if self.probes_ok == self.config.half_open_probes {
                self.enter(State::Closed);
            }
        }
    }

    /// The right `acquire`.
    pub(crate) fn acquire(&mut self) -> Result<Permit, Rejected> {
        self.tick();
        match self.state {
            State::Closed => Ok(self.permit()),
            State::HalfOpen if self.probes_out < self.config.half_open_probes => {
                self.probes_out += 1;
                Ok(self.permit())
            }
            State::Open | State::HalfOpen => Err(Rejected),
        }
    }

    /// The right `record`.
    pub(crate) fn record(&mut self, permit: Permit, outcome: Outcome) {
        if permit.epoch != self.epoch {
            return;
        }
        let failed = self.failed(&permit, outcome);
        match self.state {
            State::Closed => {
                if self.count(failed) {
                    self.enter(State::Open);
                }
            }
            State::HalfOpen => self.probe(failed),
            State::Open => {}
        }
    }
}

/// The reference breaker: [`Core`] under one lock.
pub struct RefBreaker(Mutex<Core>);

impl Breaker for RefBreaker {
    fn new(config: BreakerConfig) -> Self {
        RefBreaker(Mutex::new(Core::new(config)))
    }

    fn acquire(&self) -> Result<Permit, Rejected> {
        self.0.lock().unwrap().acquire()
    }

    fn record(&self, permit: Permit, outcome: Outcome) {
        self.0.lock().unwrap().record(permit, outcome)
    }

    fn state(&self) -> State {
        let mut core = self.0.lock().unwrap();
        core.tick();
        core.state
    }
}
