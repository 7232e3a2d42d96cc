//! Spec of 05.1, on tokio's paused clock (`advance` moves the breaker's clock
//! forward at once), with one check on four threads for the half-open race.
//! Every outcome is fed in a pattern: `S` a success, `F` a failure.

use super::together;
use crate::breaker::{Breaker, BreakerConfig, Outcome, Permit, State};
use racecourse_kit::i18n::t;
use racecourse_kit::spec::OrFail;
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
                "{}",
                t!(
                    "spec-05-1-refused",
                    call = i + 1,
                    pattern = pattern,
                    state = format!("{:?}", breaker.state()),
                    why = why
                )
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
        "{}",
        t!(
            "spec-05-1-state",
            expected = format!("{expected:?}"),
            after = after,
            state = format!("{state:?}")
        )
    );
    if expected == State::Open {
        assert!(
            breaker.acquire().is_err(),
            "{}",
            t!("spec-05-1-open-refuses", after = after)
        );
    }
}

/// Opens the breaker with three failures in a row.
async fn trip(breaker: &dyn Breaker) {
    feed(
        breaker,
        "FFF",
        Duration::ZERO,
        &t!("spec-05-1-closed-lets-through"),
    )
    .await;
    expect_state(breaker, State::Open, &t!("spec-05-1-after-three"));
}

/// A success ends a run of failures; the limit in a row opens it.
pub async fn consecutive_failures_open_it(make: MakeBreaker) {
    let breaker = make(config());
    feed(
        &*breaker,
        "FFSFF",
        Duration::ZERO,
        &t!("spec-05-1-success-ends-run"),
    )
    .await;
    expect_state(&*breaker, State::Closed, &t!("spec-05-1-after-ffsff"));
    feed(&*breaker, "F", Duration::ZERO, "").await;
    expect_state(&*breaker, State::Open, &t!("spec-05-1-after-ffsff-f"));
}

/// The rate counts the last `window` calls, once there are `minimum_calls`.
pub async fn a_failure_rate_over_the_window_opens_it(make: MakeBreaker) {
    let breaker = make(config());
    feed(
        &*breaker,
        "FSFSF",
        Duration::ZERO,
        &t!("spec-05-1-below-minimum"),
    )
    .await;
    expect_state(&*breaker, State::Closed, &t!("spec-05-1-after-fsfsf"));
    feed(&*breaker, "S", Duration::ZERO, "").await;
    expect_state(&*breaker, State::Open, &t!("spec-05-1-after-fsfsfs"));

    let breaker = make(config());
    let ok = "S".repeat(20);
    feed(&*breaker, &ok, Duration::ZERO, "").await;
    feed(
        &*breaker,
        "FSFSFSFS",
        Duration::ZERO,
        &t!("spec-05-1-last-ten"),
    )
    .await;
    expect_state(&*breaker, State::Closed, &t!("spec-05-1-after-20-fsfsfsfs"));
    feed(&*breaker, "F", Duration::ZERO, "").await;
    expect_state(&*breaker, State::Open, &t!("spec-05-1-after-20-fsfsfsfsf"));
}

/// A call slower than `slow_call` is a failure, whatever it answered.
pub async fn slow_calls_count_as_failures(make: MakeBreaker) {
    let breaker = make(config());
    feed(&*breaker, "SSS", secs(1), "").await;
    expect_state(&*breaker, State::Closed, &t!("spec-05-1-after-fast"));
    feed(&*breaker, "SSS", secs(3), "").await;
    expect_state(&*breaker, State::Open, &t!("spec-05-1-after-slow"));
}

/// Open refuses for `open_wait`; then exactly `half_open_probes` calls go
/// through; all succeeding closes it, one failing reopens it for a new wait.
pub async fn open_waits_then_admits_exactly_n_probes(make: MakeBreaker) {
    let breaker = make(config());
    trip(&*breaker).await;
    advance(OPEN_WAIT - secs(1)).await;
    expect_state(&*breaker, State::Open, &t!("spec-05-1-after-29s"));
    advance(secs(1)).await;
    expect_state(&*breaker, State::HalfOpen, &t!("spec-05-1-after-30s"));

    let permits = probe_together(&breaker, 10).await;
    assert!(
        permits.len() == PROBES as usize,
        "{}",
        t!(
            "spec-05-1-probes-at-once",
            got = permits.len(),
            probes = PROBES
        )
    );
    breaker.record(permits[0], Outcome::Success);
    expect_state(&*breaker, State::HalfOpen, &t!("spec-05-1-after-one-probe"));
    assert!(
        breaker.acquire().is_err(),
        "{}",
        t!("spec-05-1-third-probe", probes = PROBES)
    );
    breaker.record(permits[1], Outcome::Success);
    expect_state(&*breaker, State::Closed, &t!("spec-05-1-after-both-probes"));
    feed(
        &*breaker,
        "SS",
        Duration::ZERO,
        &t!("spec-05-1-closed-lets-through"),
    )
    .await;

    trip(&*breaker).await;
    advance(OPEN_WAIT).await;
    let p1 = breaker.acquire().or_fail(|| t!("spec-05-1-first-probe"));
    let p2 = breaker.acquire().or_fail(|| t!("spec-05-1-second-probe"));
    breaker.record(p1, Outcome::Failure);
    expect_state(&*breaker, State::Open, &t!("spec-05-1-after-probe-failed"));
    breaker.record(p2, Outcome::Success);
    expect_state(
        &*breaker,
        State::Open,
        &t!("spec-05-1-after-failed-then-ok"),
    );
    advance(OPEN_WAIT - secs(1)).await;
    expect_state(&*breaker, State::Open, &t!("spec-05-1-after-29s-new"));
    advance(secs(1)).await;
    expect_state(&*breaker, State::HalfOpen, &t!("spec-05-1-after-new-wait"));
}

/// An outcome of a call that began before the circuit opened, arriving while
/// probes run, is not a probe's outcome.
pub async fn late_outcomes_change_nothing(make: MakeBreaker) {
    let breaker = make(config());
    let early = breaker
        .acquire()
        .or_fail(|| t!("spec-05-1-closed-lets-call"));
    trip(&*breaker).await;
    advance(OPEN_WAIT).await;
    let p1 = breaker.acquire().or_fail(|| t!("spec-05-1-first-probe"));
    let p2 = breaker.acquire().or_fail(|| t!("spec-05-1-second-probe"));
    breaker.record(early, Outcome::Failure);
    expect_state(
        &*breaker,
        State::HalfOpen,
        &t!("spec-05-1-after-late-failure"),
    );
    breaker.record(early, Outcome::Success);
    breaker.record(p1, Outcome::Success);
    expect_state(
        &*breaker,
        State::HalfOpen,
        &t!("spec-05-1-after-late-success"),
    );
    breaker.record(p2, Outcome::Success);
    expect_state(&*breaker, State::Closed, &t!("spec-05-1-after-both"));
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
            "{}",
            t!(
                "spec-05-1-round-probes",
                round = round,
                callers = CALLERS,
                got = permits.len(),
                probes = PROBES
            )
        );
        breaker.record(permits[0], Outcome::Failure);
        assert!(
            breaker.state() == State::Open,
            "{}",
            t!("spec-05-1-round-reopens", round = round)
        );
    }
}
