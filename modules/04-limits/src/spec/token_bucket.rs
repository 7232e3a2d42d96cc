//! Spec of 04.1, on tokio's paused clock: `advance` moves time forward
//! instantly and exactly, so every decision, remaining count and wait is
//! checked to the millisecond.

use super::together;
use crate::token_bucket::{Decision, Quota, RateLimiter};
use racecourse_kit::i18n::t;
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
        "{}",
        t!(
            "spec-04-1-check",
            at = at,
            key = key,
            got = format!("{got:?}"),
            expected = format!("{expected:?}"),
            why = why
        )
    );
}

/// The burst, the refusal with the exact wait, a refill that keeps the time
/// already earned towards the next token, however often the key checks.
pub async fn exact_sequence(make: MakeLimiter) {
    let l = make(QUOTA);
    let l = &*l;
    expect(l, "k", 0, allowed(2), &t!("spec-04-1-why-full"));
    expect(l, "k", 0, allowed(1), &t!("spec-04-1-why-second"));
    expect(l, "k", 0, allowed(0), &t!("spec-04-1-why-last"));
    expect(l, "k", 0, denied(100), &t!("spec-04-1-why-empty"));
    advance(ms(40)).await;
    expect(l, "k", 40, denied(60), &t!("spec-04-1-why-what-is-left"));
    advance(ms(30)).await;
    expect(l, "k", 70, denied(30), &t!("spec-04-1-why-no-restart"));
    advance(ms(30)).await;
    expect(l, "k", 100, allowed(0), &t!("spec-04-1-why-first-back"));
    advance(ms(250)).await;
    expect(l, "k", 350, allowed(1), &t!("spec-04-1-why-two-tokens"));
    expect(
        l,
        "k",
        350,
        allowed(0),
        &t!("spec-04-1-why-second-refilled"),
    );
    expect(l, "k", 350, denied(50), &t!("spec-04-1-why-earned-before"));
    advance(ms(50)).await;
    expect(l, "k", 400, allowed(0), &t!("spec-04-1-why-kept-token"));
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
        "{}",
        t!("spec-04-1-idle-250", allowed = allowed)
    );
    advance(Duration::from_secs(3600)).await;
    let allowed = (0..10).filter(|_| l.check("k").is_allowed()).count();
    assert!(
        allowed == 3,
        "{}",
        t!("spec-04-1-idle-hour", allowed = allowed)
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
        "{}",
        t!("spec-04-1-own-bucket", got = format!("{got:?}"))
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
        "{}",
        t!("spec-04-1-remembered", held = held)
    );
    advance(quota.full_after()).await;
    l.check("one-more");
    let held = l.tracked_keys();
    assert!(held <= 1, "{}", t!("spec-04-1-forgotten", held = held));
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
        "{}",
        t!("spec-04-1-drained", allowed = allowed)
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
            "{}",
            t!("spec-04-1-many-tasks", round = round, allowed = n)
        );
    }
}
