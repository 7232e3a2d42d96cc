//! Spec of 04.1, on tokio's paused clock: `advance` moves time forward
//! instantly and exactly, so every decision, remaining count and wait is
//! checked to the millisecond.

use super::together;
use crate::token_bucket::{Decision, Quota, RateLimiter};
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::advance;

/// Makes an empty limiter with this quota.
pub type MakeLimiter = fn(Quota) -> Arc<dyn RateLimiter>;

/// The checks of 04.1.
pub fn checks(make: MakeLimiter) -> Vec<Check> {
    vec![
        Check::new("exact_sequence", Runtime::PausedClock, exact_sequence(make)),
        Check::new(
            "a_long_idle_refills_only_the_burst",
            Runtime::PausedClock,
            a_long_idle_refills_only_the_burst(make),
        ),
        Check::new(
            "keys_are_independent",
            Runtime::PausedClock,
            keys_are_independent(make),
        ),
        Check::new(
            "idle_keys_are_forgotten",
            Runtime::PausedClock,
            idle_keys_are_forgotten(make),
        ),
        Check::new(
            "a_drained_key_is_not_forgotten",
            Runtime::PausedClock,
            a_drained_key_is_not_forgotten(make),
        ),
        Check::new(
            "many_tasks_one_key",
            Runtime::Threads,
            many_tasks_one_key(make),
        ),
    ]
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Three at once, then one every 100 ms.
const QUOTA: Quota = Quota {
    burst: 3,
    interval: Duration::from_millis(100),
};

fn allowed(remaining: u32) -> Decision {
    Decision::Allowed { remaining }
}

fn denied(wait: u64) -> Decision {
    Decision::Denied {
        retry_after: ms(wait),
    }
}

/// Checks `key` once and compares with `expected`, saying at which moment.
fn expect(limiter: &dyn RateLimiter, key: &str, at: u64, expected: Decision, why: &str) {
    let got = limiter.check(key);
    assert!(
        got == expected,
        "at {at} ms (burst 3, one token every 100 ms) check(\"{key}\") answered {got:?}, \
         expected {expected:?}: {why}"
    );
}

/// The burst, the refusal with the exact wait, a refill that keeps the time
/// already earned towards the next token, however often the key checks.
pub async fn exact_sequence(make: MakeLimiter) {
    let l = make(QUOTA);
    let l = &*l;
    expect(l, "k", 0, allowed(2), "a new key starts with a full bucket");
    expect(l, "k", 0, allowed(1), "the second of the burst");
    expect(l, "k", 0, allowed(0), "the last of the burst");
    expect(
        l,
        "k",
        0,
        denied(100),
        "the bucket is empty and the next token comes in 100 ms",
    );
    advance(ms(40)).await;
    expect(
        l,
        "k",
        40,
        denied(60),
        "40 ms of the 100 have passed: the wait is what is left, 60 ms",
    );
    advance(ms(30)).await;
    expect(
        l,
        "k",
        70,
        denied(30),
        "checking often must not restart the refill: 70 ms earned, 30 ms to go",
    );
    advance(ms(30)).await;
    expect(
        l,
        "k",
        100,
        allowed(0),
        "the first token came back at 100 ms",
    );
    advance(ms(250)).await;
    expect(
        l,
        "k",
        350,
        allowed(1),
        "250 ms later two whole tokens have come (the 50 ms towards a third are kept): \
         this one spends one and leaves one",
    );
    expect(l, "k", 350, allowed(0), "the second refilled token");
    expect(
        l,
        "k",
        350,
        denied(50),
        "50 ms of the next token were earned before: 50 ms to wait, not 100",
    );
    advance(ms(50)).await;
    expect(
        l,
        "k",
        400,
        allowed(0),
        "the 50 ms kept from before made a token at 400 ms",
    );
}

/// Idleness gives back the burst, and not a token more: after 250 ms with
/// one token spent (two and a half earned), and after an hour.
pub async fn a_long_idle_refills_only_the_burst(make: MakeLimiter) {
    let l = make(QUOTA);
    l.check("k");
    advance(ms(250)).await;
    let allowed = (0..10).filter(|_| l.check("k").is_allowed()).count();
    assert!(
        allowed == 3,
        "one token spent, then 250 ms idle (2.5 tokens earned), then 10 requests at once: \
         {allowed} allowed, expected the burst, 3: the refill must stop at the bucket's capacity"
    );
    advance(Duration::from_secs(3600)).await;
    let allowed = (0..10).filter(|_| l.check("k").is_allowed()).count();
    assert!(
        allowed == 3,
        "after an hour idle, 10 requests at once: {allowed} allowed, expected the burst, 3: \
         the refill must stop at the bucket's capacity, or a quiet client saves up a flood"
    );
}

/// One key's spending leaves every other key's bucket alone.
pub async fn keys_are_independent(make: MakeLimiter) {
    let l = make(QUOTA);
    for _ in 0..5 {
        l.check("alice");
    }
    let got = l.check("bob");
    assert!(
        got == allowed(2),
        "alice spent her burst; bob's first check answered {got:?}, expected Allowed {{ remaining: 2 }}: \
         each key has its own bucket"
    );
}

/// Ten thousand one-off keys, then the time their buckets take to be full
/// again: the next check forgets them.
pub async fn idle_keys_are_forgotten(make: MakeLimiter) {
    let quota = Quota {
        burst: 5,
        interval: Duration::from_secs(1),
    };
    let l = make(quota);
    for i in 0..10_000 {
        l.check(&format!("client-{i}"));
    }
    let held = l.tracked_keys();
    assert!(
        held == 10_000,
        "10,000 keys each spent a token just now; the limiter holds {held}, expected 10,000: \
         a key with a token spent must be remembered"
    );
    advance(quota.full_after()).await;
    l.check("one-more");
    let held = l.tracked_keys();
    assert!(
        held <= 1,
        "10,000 keys idle for 5 s (their buckets full again), then one check: the limiter still \
         holds {held} keys, expected at most 1: a full bucket carries nothing worth keeping, and \
         without eviction every client ever seen stays in memory for ever"
    );
}

/// A key still short of tokens must be remembered, however long it has not
/// been seen: forgetting it would hand it a full bucket.
pub async fn a_drained_key_is_not_forgotten(make: MakeLimiter) {
    let quota = Quota {
        burst: 5,
        interval: Duration::from_secs(1),
    };
    let l = make(quota);
    for _ in 0..5 {
        l.check("busy");
    }
    for i in 0..4 {
        advance(Duration::from_millis(900)).await;
        l.check(&format!("passer-by-{i}"));
    }
    // 3.6 s later: "busy" has earned 3 tokens, not 5.
    let allowed = (0..5).filter(|_| l.check("busy").is_allowed()).count();
    assert!(
        allowed == 3,
        "\"busy\" spent its 5 tokens, then was not seen for 3.6 s (other keys were); it was allowed \
         {allowed} of 5 requests, expected 3: a key is idle only once its bucket is full again \
         (5 s here), and forgetting it earlier hands it a full bucket"
    );
}

/// 400 tasks at once on one key with a burst of 100 and no refill to speak
/// of: exactly 100 go through.
pub async fn many_tasks_one_key(make: MakeLimiter) {
    for round in 0..20 {
        let l = make(Quota {
            burst: 100,
            interval: Duration::from_secs(3600),
        });
        let decisions = together(400, |_| {
            let l = l.clone();
            async move { l.check("hot").is_allowed() }
        })
        .await;
        let n = decisions.iter().filter(|a| **a).count();
        assert!(
            n == 100,
            "round {round}: 400 requests at once on one key with a burst of 100: {n} allowed; \
             reading the bucket and spending from it must be one step"
        );
    }
}
