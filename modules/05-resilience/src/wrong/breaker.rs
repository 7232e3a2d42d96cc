//! 05.1: breakers that look fixed. Each keeps the spec's own bookkeeping
//! ([`Core`], right) and gets one step wrong in its own `acquire` or `record`.

use crate::breaker::{Breaker, BreakerConfig, Outcome, Permit, Rejected, State};
use crate::spec::reference::Core;
use std::sync::Mutex;

/// The part every breaker below does right: `state` and the constructor.
macro_rules! core_breaker {
    ($name:ident) => {
        impl $name {
            fn core(&self) -> std::sync::MutexGuard<'_, Core> {
                self.0.lock().unwrap()
            }
        }
    };
}

// ANCHOR: all_through
/// Counts and opens right, but half-open lets every caller through until a
/// probe reports, like the seeds' breaker: the moment the dependency comes
/// back, every waiting caller rushes at it at once. Caught when 10 callers
/// ask a half-open breaker together and all 10 get through, not 2.
pub struct AllThroughHalfOpen(Mutex<Core>);

impl Breaker for AllThroughHalfOpen {
    fn acquire(&self) -> Result<Permit, Rejected> {
        let mut core = self.core();
        core.tick();
        match core.state {
            State::Open => Err(Rejected),
            State::Closed | State::HalfOpen => Ok(core.permit()),
        }
    }
    // ANCHOR_END: all_through

    fn new(config: BreakerConfig) -> Self {
        AllThroughHalfOpen(Mutex::new(Core::new(config)))
    }

    fn record(&self, permit: Permit, outcome: Outcome) {
        self.core().record(permit, outcome)
    }

    fn state(&self) -> State {
        let mut core = self.core();
        core.tick();
        core.state
    }
}
core_breaker!(AllThroughHalfOpen);

// ANCHOR: stale_outcomes
/// Admits exactly N probes, but counts every outcome against the state it
/// finds, not the one the call began in: a call that started before the
/// circuit opened and fails (or succeeds) late, while the probes run, is
/// taken for a probe and reopens (or closes) the circuit. Caught by an
/// early call's late failure during half-open.
pub struct StaleOutcomes(Mutex<Core>);

impl Breaker for StaleOutcomes {
    fn record(&self, permit: Permit, outcome: Outcome) {
        let mut core = self.core();
        let failed = core.failed(&permit, outcome);
        match core.state {
            State::Closed => {
                if core.count(failed) {
                    core.enter(State::Open);
                }
            }
            State::HalfOpen => core.probe(failed),
            State::Open => {}
        }
    }
    // ANCHOR_END: stale_outcomes

    fn new(config: BreakerConfig) -> Self {
        StaleOutcomes(Mutex::new(Core::new(config)))
    }

    fn acquire(&self) -> Result<Permit, Rejected> {
        self.core().acquire()
    }

    fn state(&self) -> State {
        let mut core = self.core();
        core.tick();
        core.state
    }
}
core_breaker!(StaleOutcomes);

// ANCHOR: cumulative
/// The failure rate over every call since the breaker last closed, instead of
/// over the last `window` calls: after a long good spell the rate hardly
/// moves, so a dependency that now fails half the time never opens it.
/// Caught by 20 successes, then 5 failures in the last 10 calls (5 of 29).
pub struct CumulativeRate(Mutex<(Core, Counts)>);

#[derive(Default)]
pub struct Counts {
    epoch: u64,
    calls: usize,
    failures: usize,
    in_a_row: u32,
}

impl Breaker for CumulativeRate {
    fn record(&self, permit: Permit, outcome: Outcome) {
        let (core, counts) = &mut *self.0.lock().unwrap();
        if permit.epoch != core.epoch {
            return;
        }
        if counts.epoch != core.epoch {
            *counts = Counts {
                epoch: core.epoch,
                ..Counts::default()
            };
        }
        let failed = core.failed(&permit, outcome);
        if core.state == State::HalfOpen {
            return core.probe(failed);
        }
        counts.calls += 1;
        counts.failures += failed as usize;
        counts.in_a_row = if failed { counts.in_a_row + 1 } else { 0 };
        let c = &core.config;
        if counts.in_a_row >= c.consecutive_failures
            || (counts.calls >= c.minimum_calls
                && counts.failures * 100 >= c.failure_rate_percent as usize * counts.calls)
        {
            core.enter(State::Open);
        }
    }
    // ANCHOR_END: cumulative

    fn new(config: BreakerConfig) -> Self {
        CumulativeRate(Mutex::new((Core::new(config), Counts::default())))
    }

    fn acquire(&self) -> Result<Permit, Rejected> {
        self.0.lock().unwrap().0.acquire()
    }

    fn state(&self) -> State {
        let core = &mut self.0.lock().unwrap().0;
        core.tick();
        core.state
    }
}

// ANCHOR: slow_ignored
/// Right in every state, but a failure is only `Outcome::Failure`: a call that
/// answers "OK" after 30 s counts as a success, so a dependency that has
/// slowed to a crawl (the usual way they fail) never opens the breaker, and
/// every caller waits on it. Caught by three 3 s successes (the limit is 2 s).
pub struct SlowCallsIgnored(Mutex<Core>);

impl Breaker for SlowCallsIgnored {
    fn record(&self, permit: Permit, outcome: Outcome) {
        let mut core = self.core();
        if permit.epoch != core.epoch {
            return;
        }
        let failed = outcome == Outcome::Failure;
        match core.state {
            State::Closed => {
                if core.count(failed) {
                    core.enter(State::Open);
                }
            }
            State::HalfOpen => core.probe(failed),
            State::Open => {}
        }
    }
    // ANCHOR_END: slow_ignored

    fn new(config: BreakerConfig) -> Self {
        SlowCallsIgnored(Mutex::new(Core::new(config)))
    }

    fn acquire(&self) -> Result<Permit, Rejected> {
        self.core().acquire()
    }

    fn state(&self) -> State {
        let mut core = self.core();
        core.tick();
        core.state
    }
}
core_breaker!(SlowCallsIgnored);
