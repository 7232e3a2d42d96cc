//! Spec of 01.8, against a real Redis with a key prefix of the test's own.

use super::erased::DynFencedLock;
use super::together;
use crate::fencing::{Guard, StaleFence, lock_key};
use racecourse_kit::i18n::t;
use racecourse_kit::pause::Pausable;
use racecourse_kit::services::{RedisSlot, with_redis};
use racecourse_kit::spec::OrFail;
use racecourse_kit::spec::{Check, Runtime};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Makes a lock on a Redis connection, under a key prefix.
pub type MakeFencedLock = fn(redis::aio::ConnectionManager, String) -> Arc<dyn DynFencedLock>;

/// The checks of 01.8.
pub fn checks(make: MakeFencedLock) -> Vec<Check> {
    vec![
        Check::new(
            "lock_is_exclusive_and_expires",
            Runtime::Threads,
            lock_is_exclusive_and_expires(make),
        ),
        Check::new(
            "paused_holder_is_fenced_off",
            Runtime::Threads,
            paused_holder_is_fenced_off(make),
        ),
        Check::new(
            "holders_never_overlap",
            Runtime::Threads,
            holders_never_overlap(make),
        ),
        Check::new(
            "a_pause_between_two_commands_changes_nothing",
            Runtime::Threads,
            a_pause_between_two_commands_changes_nothing(make),
        ),
    ]
}

const R: &str = "invoice-7";

async fn pttl(slot: &RedisSlot, key: &str) -> i64 {
    let mut conn = slot.conn.clone();
    redis::cmd("PTTL")
        .arg(key)
        .query_async(&mut conn)
        .await
        .unwrap()
}

/// Waits until `key` is gone, as a lease of `ttl` makes it go.
async fn until_expired(slot: &RedisSlot, key: &str, ttl: Duration) {
    let mut waited = Duration::ZERO;
    while pttl(slot, key).await != -2 {
        assert!(
            waited < ttl + Duration::from_secs(2),
            "{}",
            t!(
                "spec-01-8-not-expiring",
                ttl = format!("{ttl:?}"),
                waited = format!("{waited:?}")
            )
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += Duration::from_millis(20);
    }
}

/// The lock is taken once; a stranger's release is refused; the key carries a
/// TTL, so a crashed holder's lock goes away by itself.
pub async fn lock_is_exclusive_and_expires(make: MakeFencedLock) {
    with_redis(|slot| async move {
        let lock = make(slot.conn.clone(), slot.prefix.clone());
        let guard = lock
            .acquire(R, Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{}", t!("spec-01-8-free-taken")));
        let ttl = pttl(&slot, &lock_key(&slot.prefix, R)).await;
        assert!(
            ttl > 0 && ttl <= 30_000,
            "{}",
            t!("spec-01-8-ttl", ttl = ttl)
        );
        assert_eq!(
            lock.acquire(R, Duration::from_secs(30)).await.unwrap(),
            None,
            "{}",
            t!("spec-01-8-held")
        );

        let stranger = Guard {
            owner: "intruder".into(),
            ..guard.clone()
        };
        assert!(
            !lock.release(&stranger).await.unwrap(),
            "{}",
            t!("spec-01-8-stranger-release")
        );
        assert_eq!(
            lock.acquire(R, Duration::from_secs(30)).await.unwrap(),
            None,
            "{}",
            t!("spec-01-8-refused-release")
        );
        assert!(
            lock.release(&guard).await.unwrap(),
            "{}",
            t!("spec-01-8-holder-releases")
        );
        let again = lock
            .acquire(R, Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{}", t!("spec-01-8-released-taken")));
        assert!(
            again.fence > guard.fence,
            "{}",
            t!(
                "spec-01-8-larger-fence",
                first = guard.fence,
                second = again.fence
            )
        );
    })
    .await;
}

/// A holder pauses (a GC, a slow disk) past its lease; another takes the lock
/// and writes. The first one's late write and late release must both be refused.
pub async fn paused_holder_is_fenced_off(make: MakeFencedLock) {
    with_redis(|slot| async move {
        let lock = make(slot.conn.clone(), slot.prefix.clone());
        let paused = lock
            .acquire(R, Duration::from_millis(100))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{}", t!("spec-01-8-free-taken")));
        until_expired(
            &slot,
            &lock_key(&slot.prefix, R),
            Duration::from_millis(100),
        )
        .await;
        let next = lock
            .acquire(R, Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{}", t!("spec-01-8-expired-taken")));
        assert!(
            next.fence > paused.fence,
            "{}",
            t!("spec-01-8-new-fence-larger")
        );
        assert_eq!(
            lock.write("ledger", "by the new holder", next.fence)
                .await
                .unwrap(),
            Ok(())
        );

        let late = lock
            .write("ledger", "by the paused holder", paused.fence)
            .await
            .unwrap();
        assert_eq!(
            late,
            Err(StaleFence {
                presented: paused.fence,
                highest: next.fence
            }),
            "{}",
            t!("spec-01-8-late-write")
        );
        assert_eq!(
            lock.read("ledger").await.unwrap().as_deref(),
            Some("by the new holder"),
            "{}",
            t!("spec-01-8-stored-new")
        );
        assert!(
            !lock.release(&paused).await.unwrap(),
            "{}",
            t!("spec-01-8-late-release")
        );
        assert_eq!(
            lock.acquire(R, Duration::from_secs(30)).await.unwrap(),
            None,
            "{}",
            t!("spec-01-8-new-holder")
        );
        assert!(lock.release(&next).await.unwrap());
    })
    .await;
}

/// 20 tasks take the lock in turn to read, think and write a counter through
/// the fenced storage: it ends at exactly 20, and each holder's fence is larger
/// than every fence before it.
pub async fn holders_never_overlap(make: MakeFencedLock) {
    const TASKS: usize = 20;
    with_redis(|slot| async move {
        let lock = make(slot.conn.clone(), slot.prefix.clone());
        let fences = Arc::new(Mutex::new(Vec::new()));
        lock.write("count", "0", 0)
            .await
            .unwrap()
            .or_fail(|| t!("spec-01-8-first-write"));
        together(TASKS, |_| {
            let (lock, fences) = (lock.clone(), fences.clone());
            async move {
                let mut tries = 0;
                let guard = loop {
                    if let Some(g) = lock.acquire(R, Duration::from_secs(10)).await.unwrap() {
                        break g;
                    }
                    tries += 1;
                    assert!(tries < 5000, "{}", t!("spec-01-8-never-got", tries = 5000));
                    tokio::time::sleep(Duration::from_millis(2)).await;
                };
                fences.lock().unwrap().push(guard.fence);
                let read: u64 = lock.read("count").await.unwrap().unwrap().parse().unwrap();
                crate::think().await;
                lock.write("count", &(read + 1).to_string(), guard.fence)
                    .await
                    .unwrap()
                    .or_fail(|| t!("spec-01-8-holder-write"));
                assert!(
                    lock.release(&guard).await.unwrap(),
                    "{}",
                    t!("spec-01-8-releases-own")
                );
            }
        })
        .await;
        let count = lock.read("count").await.unwrap();
        assert_eq!(
            count.as_deref(),
            Some(TASKS.to_string().as_str()),
            "{}",
            t!("spec-01-8-count", tasks = TASKS)
        );
        let fences = fences.lock().unwrap().clone();
        assert!(
            fences.windows(2).all(|w| w[0] < w[1]),
            "{}",
            t!("spec-01-8-fence-order", fences = format!("{fences:?}"))
        );
    })
    .await;
}

/// Waits until the paused client has sent one command and is held before its
/// next one, or has finished (it had only the one).
async fn gap<T>(proxy: &Pausable, call: &JoinHandle<T>) {
    tokio::select! {
        () = proxy.paused() => {}
        () = async { while !call.is_finished() { tokio::time::sleep(Duration::from_millis(1)).await } } => {}
        () = tokio::time::sleep(Duration::from_secs(5)) => panic!("{}", t!("spec-01-8-sent-nothing")),
    }
}

/// One client is paused after each of its commands in turn (a proxy holds its
/// next command) while another client acts in the gap, as a GC pause or a slow
/// network would do. Every step must be one command (a Lua script), so there
/// is no gap: the paused client's acquisition cannot end with a fence smaller
/// than a holder's before it, its release cannot free a lock someone else took
/// meanwhile, and its write with an old fence cannot land over a newer one.
pub async fn a_pause_between_two_commands_changes_nothing(make: MakeFencedLock) {
    with_redis(|slot| async move {
        let other = make(slot.conn.clone(), slot.prefix.clone());
        let proxy = Pausable::connect(&slot.url)
            .await
            .or_fail(|| t!("spec-01-8-proxy"));
        let paused = make(proxy.conn.clone(), slot.prefix.clone());
        let secs = Duration::from_secs;

        // Acquire: a whole acquisition by the other client fits in the gap.
        proxy.hold_after_next();
        let call = tokio::spawn({
            let paused = paused.clone();
            async move { paused.acquire("pause-acquire", secs(30)).await }
        });
        gap(&proxy, &call).await;
        let between = other.acquire("pause-acquire", secs(30)).await.unwrap();
        if let Some(guard) = &between {
            assert!(
                other.release(guard).await.unwrap(),
                "{}",
                t!("spec-01-8-holder-releases")
            );
        }
        proxy.resume();
        let late = call.await.unwrap().unwrap();
        if let (Some(first), Some(second)) = (&between, &late) {
            assert!(
                second.fence > first.fence,
                "{}",
                t!(
                    "spec-01-8-pause-acquire",
                    first = first.fence,
                    second = second.fence
                )
            );
        }

        // Release: the paused client's lease runs out and another takes the lock in the gap.
        let ttl = Duration::from_millis(200);
        let guard = paused
            .acquire("pause-release", ttl)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{}", t!("spec-01-8-free-taken")));
        proxy.hold_after_next();
        let call = tokio::spawn({
            let (paused, guard) = (paused.clone(), guard.clone());
            async move { paused.release(&guard).await }
        });
        gap(&proxy, &call).await;
        until_expired(&slot, &lock_key(&slot.prefix, "pause-release"), ttl).await;
        let next = other.acquire("pause-release", secs(30)).await.unwrap();
        assert!(next.is_some(), "{}", t!("spec-01-8-lease-ran-out"));
        proxy.resume();
        let _ = call.await.unwrap();
        assert_eq!(
            other.acquire("pause-release", secs(30)).await.unwrap(),
            None,
            "{}",
            t!("spec-01-8-pause-release")
        );

        // Write: a holder with a newer fence writes in the gap of a write with an older one.
        let older = paused
            .acquire("pause-write", secs(30))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{}", t!("spec-01-8-free-taken")));
        assert!(
            paused.release(&older).await.unwrap(),
            "{}",
            t!("spec-01-8-holder-releases")
        );
        let newer = other
            .acquire("pause-write", secs(30))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{}", t!("spec-01-8-released-taken")));
        proxy.hold_after_next();
        let call = tokio::spawn({
            let paused = paused.clone();
            async move {
                paused
                    .write("pause-ledger", "by the older holder", older.fence)
                    .await
            }
        });
        gap(&proxy, &call).await;
        assert_eq!(
            other
                .write("pause-ledger", "by the newer holder", newer.fence)
                .await
                .unwrap(),
            Ok(()),
            "{}",
            t!("spec-01-8-newest-write")
        );
        proxy.resume();
        let _ = call.await.unwrap();
        assert_eq!(
            other.read("pause-ledger").await.unwrap().as_deref(),
            Some("by the newer holder"),
            "{}",
            t!(
                "spec-01-8-pause-write",
                older = older.fence,
                newer = newer.fence
            )
        );
    })
    .await;
}
