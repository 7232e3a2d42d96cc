//! Spec of 04.3, against a real Redis with a key prefix of the test's own.
//! Redis keeps the time, so the refill check waits in real time (under a
//! second); the races do not wait for luck: three instances at once, and the
//! pause proxy holding one instance between two of its commands.

use super::erased::DynRedisRateLimiter;
use super::outage::Outage;
use super::together;
use crate::redis_limiter::{OUTAGE_RETRY_AFTER, OnOutage};
use crate::token_bucket::{Decision, Quota};
use racecourse_kit::i18n::t;
use racecourse_kit::pause::Pausable;
use racecourse_kit::services::{RedisSlot, redis_connect, with_redis};
use racecourse_kit::spec::OrFail;
use racecourse_kit::spec::{Check, Runtime};
use redis::aio::ConnectionManager;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Makes a limiter on a Redis connection, under a key prefix.
pub type MakeRedisLimiter =
    fn(ConnectionManager, String, Quota, OnOutage) -> Arc<dyn DynRedisRateLimiter>;

/// The checks of 04.3.
pub fn checks(make: MakeRedisLimiter) -> Vec<Check> {
    vec![
        Check::new("exact_decisions", Runtime::Threads, exact_decisions(make)),
        Check::new(
            "refills_over_time",
            Runtime::Threads,
            refills_over_time(make),
        ),
        Check::new(
            "keys_always_expire",
            Runtime::Threads,
            keys_always_expire(make),
        ),
        Check::new(
            "three_instances_never_exceed",
            Runtime::Threads,
            three_instances_never_exceed(make),
        ),
        Check::new(
            "a_pause_between_two_commands_changes_nothing",
            Runtime::Threads,
            a_pause_between_two_commands_changes_nothing(make),
        ),
        Check::new(
            "an_outage_follows_the_configured_choice",
            Runtime::Threads,
            an_outage_follows_the_configured_choice(make),
        ),
    ]
}

const HOUR: Duration = Duration::from_secs(3600);

fn quota(burst: u32, interval: Duration) -> Quota {
    Quota { burst, interval }
}

fn on(
    slot: &RedisSlot,
    conn: ConnectionManager,
    q: Quota,
    make: MakeRedisLimiter,
) -> Arc<dyn DynRedisRateLimiter> {
    make(conn, slot.prefix.clone(), q, OnOutage::Deny)
}

/// The burst with its remaining counts, then a refusal with the wait for the
/// next token; another key untouched.
pub async fn exact_decisions(make: MakeRedisLimiter) {
    with_redis(move |slot| async move {
        let l = on(&slot, slot.conn.clone(), quota(5, HOUR), make);
        for remaining in (0..5).rev() {
            let got = l.check("k").await;
            assert!(
                got == Decision::Allowed { remaining },
                "{}",
                t!(
                    "spec-04-3-burst",
                    got = format!("{got:?}"),
                    remaining = remaining
                )
            );
        }
        match l.check("k").await {
            Decision::Denied { retry_after } => assert!(
                retry_after <= HOUR && retry_after > HOUR - Duration::from_secs(10),
                "{}",
                t!(
                    "spec-04-3-retry-after",
                    retry_after = format!("{retry_after:?}")
                )
            ),
            got => panic!("{}", t!("spec-04-3-sixth", got = format!("{got:?}"))),
        }
        let got = l.check("other").await;
        assert!(
            got == Decision::Allowed { remaining: 4 },
            "{}",
            t!("spec-04-3-other-key", got = format!("{got:?}"))
        );
    })
    .await;
}

/// Tokens come back with time, Redis's time.
pub async fn refills_over_time(make: MakeRedisLimiter) {
    with_redis(move |slot| async move {
        let l = on(
            &slot,
            slot.conn.clone(),
            quota(2, Duration::from_millis(300)),
            make,
        );
        for _ in 0..2 {
            assert!(
                l.check("k").await.is_allowed(),
                "{}",
                t!("spec-04-3-first-two")
            );
        }
        assert!(
            !l.check("k").await.is_allowed(),
            "{}",
            t!("spec-04-3-third")
        );
        tokio::time::sleep(Duration::from_millis(650)).await;
        let n = {
            let mut n = 0;
            for _ in 0..3 {
                n += usize::from(l.check("k").await.is_allowed());
            }
            n
        };
        assert!(n == 2, "{}", t!("spec-04-3-refill", allowed = n));
    })
    .await;
}

/// Waits until the command the pause proxy let through has been answered, or
/// until the client's task ends first (re-raising a panic): then its decision.
async fn until_paused(paused: &Pausable, task: &mut JoinHandle<Decision>) -> Option<Decision> {
    tokio::select! {
        biased;
        _ = paused.paused() => None,
        ended = task => Some(ended.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))),
    }
}

/// Every key under the prefix, with its TTL in milliseconds (-1: none).
async fn ttls(slot: &RedisSlot) -> Vec<(String, i64)> {
    let mut conn = slot.conn.clone();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", slot.prefix))
        .query_async(&mut conn)
        .await
        .or_fail(|| t!("spec-04-3-keys"));
    let mut out = Vec::new();
    for key in keys {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .or_fail(|| t!("spec-04-3-pttl"));
        if ttl != -2 {
            out.push((key, ttl));
        }
    }
    out
}

/// Every key the limiter writes carries a TTL, at every moment: also between
/// two of its commands, where a crash would leave it for ever. The pause
/// proxy steps the limiter through its commands one at a time, and after
/// each the spec looks at every key.
pub async fn keys_always_expire(make: MakeRedisLimiter) {
    with_redis(move |slot| async move {
        let q = quota(5, Duration::from_secs(10));
        let paused = Pausable::connect(&slot.url)
            .await
            .or_fail(|| t!("spec-04-3-pause-proxy"));
        let l = on(&slot, paused.conn.clone(), q, make);
        for (round, key) in ["a", "a", "b"].into_iter().enumerate() {
            paused.hold_after_next();
            let mut task = {
                let l = l.clone();
                tokio::spawn(async move { l.check(key).await })
            };
            let mut ended = until_paused(&paused, &mut task).await;
            for step in 1.. {
                for (k, ttl) in ttls(&slot).await {
                    assert!(
                        ttl > 0,
                        "{}",
                        t!(
                            "spec-04-3-no-ttl-between",
                            round = round,
                            key = key,
                            step = step,
                            stored = k
                        )
                    );
                }
                if ended.is_some() {
                    break;
                }
                // Lets the held command through, and holds the one after it.
                paused.hold_after_next();
                ended = until_paused(&paused, &mut task).await;
            }
            paused.resume();
        }
        let all = ttls(&slot).await;
        assert!(!all.is_empty(), "{}", t!("spec-04-3-no-key"));
        for (k, ttl) in all {
            assert!(
                ttl > 0 && ttl <= q.full_after().as_millis() as i64 + 1000,
                "{}",
                t!(
                    "spec-04-3-key-ttl",
                    key = k,
                    ttl = ttl,
                    full = q.full_after().as_millis() as u64
                )
            );
        }
    })
    .await;
}

/// Three instances of a service, each with its own connection, share one
/// budget: 150 requests at once, 50 through each, burst 50: exactly 50 pass.
pub async fn three_instances_never_exceed(make: MakeRedisLimiter) {
    with_redis(move |slot| async move {
        let mut instances = Vec::new();
        for _ in 0..3 {
            let conn = redis_connect(&slot.url)
                .await
                .or_fail(|| t!("spec-04-3-connection"));
            instances.push(on(&slot, conn, quota(50, HOUR), make));
        }
        for round in 0..5 {
            let key = Arc::new(format!("hot-{round}"));
            let decisions = together(150, |i| {
                let (l, key) = (instances[i % 3].clone(), key.clone());
                async move { l.check(&key).await.is_allowed() }
            })
            .await;
            let n = decisions.iter().filter(|a| **a).count();
            assert!(
                n == 50,
                "{}",
                t!("spec-04-3-three-instances", round = round, allowed = n)
            );
        }
    })
    .await;
}

/// One instance is paused after its first command to Redis while another
/// decides on the same key: with a burst of 1, exactly one is allowed.
pub async fn a_pause_between_two_commands_changes_nothing(make: MakeRedisLimiter) {
    with_redis(move |slot| async move {
        let q = quota(1, HOUR);
        let paused = Pausable::connect(&slot.url)
            .await
            .or_fail(|| t!("spec-04-3-pause-proxy"));
        let a = on(&slot, paused.conn.clone(), q, make);
        let b = on(&slot, slot.conn.clone(), q, make);
        a.check("warm-up").await;
        for round in 0..3 {
            let key = format!("k{round}");
            paused.hold_after_next();
            let mut task = {
                let (a, key) = (a.clone(), key.clone());
                tokio::spawn(async move { a.check(&key).await })
            };
            let ended = until_paused(&paused, &mut task).await;
            let second = b.check(&key).await;
            paused.resume();
            let first = match ended {
                Some(decision) => decision,
                None => racecourse_kit::spec::join(task).await,
            };
            let n = usize::from(first.is_allowed()) + usize::from(second.is_allowed());
            assert!(
                n == 1,
                "{}",
                t!(
                    "spec-04-3-paused",
                    round = round,
                    allowed = n,
                    first = format!("{first:?}"),
                    second = format!("{second:?}")
                )
            );
        }
    })
    .await;
}

/// With Redis down, a fail-open limiter allows and a fail-closed one refuses,
/// each at once.
pub async fn an_outage_follows_the_configured_choice(make: MakeRedisLimiter) {
    with_redis(move |slot| async move {
        let q = quota(5, HOUR);
        for choice in [OnOutage::Allow, OnOutage::Deny] {
            let outage = Outage::start(&slot.url)
                .await
                .or_fail(|| t!("spec-04-3-outage-proxy"));
            let l = make(outage.conn.clone(), slot.prefix.clone(), q, choice);
            let key = format!("{choice:?}");
            let got = l.check(&key).await;
            assert!(
                got == Decision::Allowed { remaining: 4 },
                "{}",
                t!(
                    "spec-04-3-before-outage",
                    choice = format!("{choice:?}"),
                    got = format!("{got:?}")
                )
            );
            outage.cut().await;
            let expected = match choice {
                OnOutage::Allow => Decision::Allowed { remaining: 0 },
                OnOutage::Deny => Decision::Denied {
                    retry_after: OUTAGE_RETRY_AFTER,
                },
            };
            for attempt in 0..2 {
                let got = tokio::time::timeout(Duration::from_secs(5), l.check(&key))
                    .await
                    .unwrap_or_else(|_| panic!("{}", t!("spec-04-3-outage-waited")));
                let side = match choice {
                    OnOutage::Allow => t!("spec-04-3-fail-open"),
                    OnOutage::Deny => t!("spec-04-3-fail-closed"),
                };
                assert!(
                    got == expected,
                    "{}",
                    t!(
                        "spec-04-3-outage-answer",
                        side = side,
                        choice = format!("{choice:?}"),
                        attempt = attempt,
                        got = format!("{got:?}"),
                        expected = format!("{expected:?}")
                    )
                );
            }
        }
    })
    .await;
}
