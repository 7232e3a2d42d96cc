//! Spec of 05.1, on tokio's paused clock (`advance` moves the breaker's clock
//! forward at once), with one check on four threads for the half-open race.
//! Every outcome is fed in a pattern: `S` a success, `F` a failure.

use super::together;
use crate::breaker::{Breaker, BreakerConfig, Outcome, Permit, State};
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::advance;

/// Makes a closed breaker with this configuration.
pub type MakeBreaker = fn(BreakerConfig) -> Arc<dyn Breaker>;

/// The checks of 05.1.
pub fn checks(make: MakeBreaker) -> Vec<Check> {
    vec![
        Check::new(
            "consecutive_failures_open_it",
            Runtime::PausedClock,
            consecutive_failures_open_it(make),
        ),
        Check::new(
            "a_failure_rate_over_the_window_opens_it",
            Runtime::PausedClock,
            a_failure_rate_over_the_window_opens_it(make),
        ),
        Check::new(
            "slow_calls_count_as_failures",
            Runtime::PausedClock,
            slow_calls_count_as_failures(make),
        ),
        Check::new(
            "open_waits_then_admits_exactly_n_probes",
            Runtime::PausedClock,
            open_waits_then_admits_exactly_n_probes(make),
        ),
        Check::new(
            "late_outcomes_change_nothing",
            Runtime::PausedClock,
            late_outcomes_change_nothing(make),
        ),
        Check::new(
            "only_n_probes_on_many_threads",
            Runtime::Threads,
            only_n_probes_on_many_threads(make),
        ),
    ]
}

/// The spec's configuration: small numbers, each rule reachable on its own.
pub fn config() -> BreakerConfig {
    BreakerConfig {
        consecutive_failures: 3,
        failure_rate_percent: 50,
        window: 10,
        minimum_calls: 6,
        slow_call: Some(SLOW),
        open_wait: OPEN_WAIT,
        half_open_probes: PROBES,
    }
}

const SLOW: Duration = Duration::from_secs(2);
const OPEN_WAIT: Duration = Duration::from_secs(30);
const PROBES: u32 = 2;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Makes one call per letter of `pattern` (`S` succeeds, `F` fails), each
/// taking `took`. `why` says why none of them may be refused.
async fn feed(breaker: &dyn Breaker, pattern: &str, took: Duration, why: &str) {
    for (i, letter) in pattern.chars().enumerate() {
        let Ok(permit) = breaker.acquire() else {
            panic!(
                "call {} of `{pattern}` was refused: the breaker is {:?} too early. {why}",
                i + 1,
                breaker.state()
            );
        };
        if !took.is_zero() {
            advance(took).await;
        }
        let outcome = if letter == 'F' {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        breaker.record(permit, outcome);
    }
}

fn expect_state(breaker: &dyn Breaker, expected: State, after: &str) {
    let state = breaker.state();
    assert!(
        state == expected,
        "the breaker must be {expected:?} after {after}; it is {state:?}"
    );
    if expected == State::Open {
        assert!(
            breaker.acquire().is_err(),
            "after {after} the breaker is open: acquire must refuse the call at once"
        );
    }
}

/// Opens the breaker with three failures in a row.
async fn trip(breaker: &dyn Breaker) {
    feed(
        breaker,
        "FFF",
        Duration::ZERO,
        "A closed breaker lets calls through.",
    )
    .await;
    expect_state(
        breaker,
        State::Open,
        "three failures in a row (the limit is 3)",
    );
}

/// A success ends a run of failures; the limit in a row opens it.
pub async fn consecutive_failures_open_it(make: MakeBreaker) {
    let breaker = make(config());
    feed(
        &*breaker,
        "FFSFF",
        Duration::ZERO,
        "A success ends a run of failures: FFSFF has at most 2 in a row (the limit is 3), \
         and 5 calls are fewer than the 6 a failure rate needs.",
    )
    .await;
    expect_state(
        &*breaker,
        State::Closed,
        "FFSFF (at most 2 failures in a row)",
    );
    feed(&*breaker, "F", Duration::ZERO, "").await;
    expect_state(
        &*breaker,
        State::Open,
        "FFSFF then F: three failures in a row",
    );
}

/// The rate counts the last `window` calls, once there are `minimum_calls`.
pub async fn a_failure_rate_over_the_window_opens_it(make: MakeBreaker) {
    let breaker = make(config());
    feed(
        &*breaker,
        "FSFSF",
        Duration::ZERO,
        "Below the minimum number of calls (6) there is no failure rate: 3 failures of \
         5 calls must not open it.",
    )
    .await;
    expect_state(
        &*breaker,
        State::Closed,
        "FSFSF (5 calls, fewer than the minimum 6)",
    );
    feed(&*breaker, "S", Duration::ZERO, "").await;
    expect_state(
        &*breaker,
        State::Open,
        "FSFSFS: 3 failures of 6 calls, a rate of 50%, the threshold",
    );

    let breaker = make(config());
    let ok = "S".repeat(20);
    feed(&*breaker, &ok, Duration::ZERO, "").await;
    feed(
        &*breaker,
        "FSFSFSFS",
        Duration::ZERO,
        "Only the last 10 calls count: 4 of them failed, 40%.",
    )
    .await;
    expect_state(
        &*breaker,
        State::Closed,
        "20 successes then FSFSFSFS (4 failures in the last 10 calls)",
    );
    feed(&*breaker, "F", Duration::ZERO, "").await;
    expect_state(
        &*breaker,
        State::Open,
        "20 successes then FSFSFSFSF: 5 failures in the last 10 calls, 50% (the rate is \
         over the last 10 calls, not every call since the start: 5 of 29 is 17%)",
    );
}

/// A call slower than `slow_call` is a failure, whatever it answered.
pub async fn slow_calls_count_as_failures(make: MakeBreaker) {
    let breaker = make(config());
    feed(&*breaker, "SSS", secs(1), "").await;
    expect_state(
        &*breaker,
        State::Closed,
        "three successes of 1 s each (the slow-call limit is 2 s)",
    );
    feed(&*breaker, "SSS", secs(3), "").await;
    expect_state(
        &*breaker,
        State::Open,
        "three successes of 3 s each: slow calls (over the 2 s limit) count as failures, \
         three in a row",
    );
}

/// Open refuses for `open_wait`; then exactly `half_open_probes` calls go
/// through; all succeeding closes it, one failing reopens it for a new wait.
pub async fn open_waits_then_admits_exactly_n_probes(make: MakeBreaker) {
    let breaker = make(config());
    trip(&*breaker).await;
    advance(OPEN_WAIT - secs(1)).await;
    expect_state(&*breaker, State::Open, "29 s of its 30 s open wait");
    advance(secs(1)).await;
    expect_state(&*breaker, State::HalfOpen, "its 30 s open wait");

    let permits = probe_together(&breaker, 10).await;
    assert!(
        permits.len() == PROBES as usize,
        "10 callers at once on a half-open breaker: {} got through, but it admits exactly \
         {PROBES} probes and refuses the rest until they report",
        permits.len()
    );
    breaker.record(permits[0], Outcome::Success);
    expect_state(
        &*breaker,
        State::HalfOpen,
        "one of its two probes succeeded",
    );
    assert!(
        breaker.acquire().is_err(),
        "a half-open breaker with one probe back and one still out must refuse a third: \
         it admits exactly {PROBES} probes"
    );
    breaker.record(permits[1], Outcome::Success);
    expect_state(&*breaker, State::Closed, "both of its probes succeeded");
    feed(
        &*breaker,
        "SS",
        Duration::ZERO,
        "A closed breaker lets calls through.",
    )
    .await;

    trip(&*breaker).await;
    advance(OPEN_WAIT).await;
    let p1 = breaker
        .acquire()
        .expect("a half-open breaker admits its first probe");
    let p2 = breaker
        .acquire()
        .expect("a half-open breaker admits its second probe");
    breaker.record(p1, Outcome::Failure);
    expect_state(&*breaker, State::Open, "a probe failed: it reopens at once");
    breaker.record(p2, Outcome::Success);
    expect_state(
        &*breaker,
        State::Open,
        "a probe failed and then the other succeeded (the success comes from the half-open \
         state that is over)",
    );
    advance(OPEN_WAIT - secs(1)).await;
    expect_state(
        &*breaker,
        State::Open,
        "29 s of the new open wait that the failed probe began",
    );
    advance(secs(1)).await;
    expect_state(&*breaker, State::HalfOpen, "the new open wait");
}

/// An outcome of a call that began before the circuit opened, arriving while
/// probes run, is not a probe's outcome.
pub async fn late_outcomes_change_nothing(make: MakeBreaker) {
    let breaker = make(config());
    let early = breaker
        .acquire()
        .expect("a closed breaker lets a call through");
    trip(&*breaker).await;
    advance(OPEN_WAIT).await;
    let p1 = breaker
        .acquire()
        .expect("a half-open breaker admits its first probe");
    let p2 = breaker
        .acquire()
        .expect("a half-open breaker admits its second probe");
    breaker.record(early, Outcome::Failure);
    expect_state(
        &*breaker,
        State::HalfOpen,
        "a call that began before the circuit opened failed, late, while the probes run (its \
         permit's epoch is an earlier state's: it is no probe, and must change nothing)",
    );
    breaker.record(early, Outcome::Success);
    breaker.record(p1, Outcome::Success);
    expect_state(
        &*breaker,
        State::HalfOpen,
        "a late success from before the circuit opened, then one of two probes succeeded (the \
         late one is no probe: one probe is still out)",
    );
    breaker.record(p2, Outcome::Success);
    expect_state(&*breaker, State::Closed, "both probes succeeded");
}

/// `n` callers ask a breaker at once: the permits they got.
async fn probe_together(breaker: &Arc<dyn Breaker>, n: usize) -> Vec<Permit> {
    together(n, |_| {
        let breaker = breaker.clone();
        async move { breaker.acquire().ok() }
    })
    .await
    .into_iter()
    .flatten()
    .collect()
}

const ROUNDS: usize = 20;
const CALLERS: usize = 64;

/// On four threads, 64 callers at once on a half-open breaker, 20 times over:
/// each time exactly `half_open_probes` get through. The open wait is real
/// time here, 20 ms.
pub async fn only_n_probes_on_many_threads(make: MakeBreaker) {
    let wait = Duration::from_millis(20);
    let breaker = make(BreakerConfig {
        open_wait: wait,
        ..config()
    });
    trip(&*breaker).await;
    for round in 0..ROUNDS {
        tokio::time::sleep(wait + Duration::from_millis(5)).await;
        let permits = probe_together(&breaker, CALLERS).await;
        assert!(
            permits.len() == PROBES as usize,
            "round {round}: {CALLERS} callers at once on four threads, on a half-open breaker: \
             {} got through, but it admits exactly {PROBES} probes",
            permits.len()
        );
        breaker.record(permits[0], Outcome::Failure);
        assert!(
            breaker.state() == State::Open,
            "round {round}: a probe failed: the breaker must reopen"
        );
    }
}
