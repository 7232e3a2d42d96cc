//! Module 05's gallery: for each exercise, the naive code ([`crate::naive`]) and
//! the fixes students really write that almost work ([`crate::wrong`]), each
//! bound to the exercise's checks. `tests/gallery.rs` proves the spec catches
//! every one of them on every run; `cargo xtask stress <id> --impl <name>`
//! repeats one of them.
//!
//! Adding a wrong fix: write it in `wrong/<exercise file>.rs` with a doc comment
//! saying why it is wrong, add a [`Suspect`] here, and include it by anchor in
//! the exercise's book page under "Fixes that almost work".

use crate::naive;
use crate::spec as s;
use crate::spec::erased as e;
use crate::wrong;
use racecourse_kit::gallery::Suspect;

/// Every wrong implementation of module 05, with what its failure must say.
pub fn suspects() -> Vec<Suspect> {
    use wrong::breaker as b;
    use wrong::payments as p;
    use wrong::protect as l;
    use wrong::retry as r;
    let suspect = |exercise, name, title, expect, checks| Suspect {
        exercise,
        name,
        title,
        expect,
        checks,
    };
    vec![
        suspect(
            "05.1",
            "naive",
            "failures counted, never reset; half-open lets all through",
            "A success ends a run",
            || s::breaker::checks(e::breaker::<naive::breaker::CountingBreaker>),
        ),
        suspect(
            "05.1",
            "all-through-half-open",
            "half-open admits every caller until a probe reports",
            "admits exactly 2 probes",
            || s::breaker::checks(e::breaker::<b::AllThroughHalfOpen>),
        ),
        suspect(
            "05.1",
            "stale-outcomes",
            "an outcome counts against the state it finds",
            "must change nothing",
            || s::breaker::checks(e::breaker::<b::StaleOutcomes>),
        ),
        suspect(
            "05.1",
            "cumulative-rate",
            "failure rate over every call since closing",
            "not every call since the start",
            || s::breaker::checks(e::breaker::<b::CumulativeRate>),
        ),
        suspect(
            "05.1",
            "slow-calls-ignored",
            "only Outcome::Failure is a failure",
            "slow calls (over the 2 s limit)",
            || s::breaker::checks(e::breaker::<b::SlowCallsIgnored>),
        ),
        suspect(
            "05.2",
            "naive",
            "a fixed pause, anything retried, no budget",
            "never retry a 4xx",
            || s::retry::checks(e::retry::<naive::retry::FixedRetry>),
        ),
        suspect(
            "05.2",
            "no-jitter",
            "capped exponential backoff without jitter",
            "With full jitter",
            || s::retry::checks(e::retry::<r::NoJitter>),
        ),
        suspect(
            "05.2",
            "retries-any-4xx",
            "retries every status from 400 up",
            "never retry a 4xx",
            || s::retry::checks(e::retry::<r::RetriesAny4xx>),
        ),
        suspect(
            "05.2",
            "no-budget",
            "polite per call, no retry budget",
            "Without a budget",
            || s::retry::checks(e::retry::<r::NoBudget>),
        ),
        suspect(
            "05.2",
            "ignores-retry-after",
            "its own backoff, whatever Retry-After says",
            "Retry-After",
            || s::retry::checks(e::retry::<r::IgnoresRetryAfter>),
        ),
        suspect(
            "05.3",
            "naive",
            "no protection",
            "it hangs|must get a fast 503",
            || s::protect::checks(naive::protect::unprotected),
        ),
        suspect(
            "05.3",
            "unbounded-queue",
            "a concurrency limit that queues without bound",
            "must get a fast 503",
            || s::protect::checks(l::unbounded_queue),
        ),
        suspect(
            "05.3",
            "wait-without-room",
            "every request waits up to max_wait, any number of them",
            "must get a fast 503",
            || s::protect::checks(l::wait_without_room),
        ),
        suspect(
            "05.3",
            "spawned-timeout",
            "the handler on its own task, abandoned at the timeout",
            "handlers are still running",
            || s::protect::checks(l::spawned_timeout),
        ),
        suspect(
            "05.3",
            "counts-by-hand",
            "atomic counters, given back after the handler answers",
            "a client that went away",
            || s::protect::checks(l::counts_by_hand),
        ),
        suspect(
            "05.4",
            "naive",
            "one call, no timeout, no retry, no breaker",
            "requests pile up",
            || s::payments::checks(e::payment_client::<naive::payments::DirectClient>),
        ),
        suspect(
            "05.4",
            "no-breaker",
            "timeouts and retries, no breaker",
            "piling onto a gateway",
            || s::payments::checks(e::payment_client::<p::NoBreaker>),
        ),
        suspect(
            "05.4",
            "timeouts-not-failures",
            "a timed-out attempt is not reported to the breaker",
            "piling onto a gateway",
            || s::payments::checks(e::payment_client::<p::TimeoutsNotFailures>),
        ),
        suspect(
            "05.4",
            "retries-declines",
            "every error retried, a decline too",
            "a decline was retried",
            || s::payments::checks(e::payment_client::<p::RetriesDeclines>),
        ),
        suspect(
            "05.4",
            "one-timeout-for-all",
            "one timeout around all the attempts",
            "leaves none",
            || s::payments::checks(e::payment_client::<p::OneTimeoutForAll>),
        ),
    ]
}
