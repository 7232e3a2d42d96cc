//! Spec of 01.8, against a real Redis with a key prefix of the test's own.

use super::erased::DynFencedLock;
use super::together;
use crate::fencing::{Guard, StaleFence, lock_key};
use racecourse_kit::services::{RedisSlot, with_redis};
use std::sync::Arc;
use std::time::Duration;

/// Makes a lock on a Redis connection, under a key prefix.
pub type MakeFencedLock = fn(redis::aio::ConnectionManager, String) -> Arc<dyn DynFencedLock>;

const R: &str = "invoice-7";

async fn pttl(slot: &RedisSlot, key: &str) -> i64 {
    let mut conn = slot.conn.clone();
    redis::cmd("PTTL")
        .arg(key)
        .query_async(&mut conn)
        .await
        .unwrap()
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
            .expect("a free lock can be taken");
        let ttl = pttl(&slot, &lock_key(&slot.prefix, R)).await;
        assert!(
            ttl > 0 && ttl <= 30_000,
            "the lock key must expire within the 30 s asked for (PTTL {ttl}): SET ... NX PX"
        );
        assert_eq!(lock.acquire(R, Duration::from_secs(30)).await.unwrap(), None, "a held lock cannot be taken again");

        let stranger = Guard {
            owner: "intruder".into(),
            ..guard.clone()
        };
        assert!(
            !lock.release(&stranger).await.unwrap(),
            "a release by someone who does not hold the lock must be refused (a plain DEL frees anybody's lock)"
        );
        assert_eq!(lock.acquire(R, Duration::from_secs(30)).await.unwrap(), None, "the refused release left the lock held");
        assert!(lock.release(&guard).await.unwrap(), "the holder may release");
        let again = lock.acquire(R, Duration::from_secs(30)).await.unwrap().expect("a released lock can be taken");
        assert!(again.fence > guard.fence, "each acquisition gets a larger fence: {} then {}", guard.fence, again.fence);
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
            .expect("a free lock can be taken");
        let key = lock_key(&slot.prefix, R);
        let mut waited = Duration::ZERO;
        while pttl(&slot, &key).await != -2 {
            assert!(
                waited < Duration::from_secs(2),
                "the lock taken for 100 ms is still there after 2 s: set PX on it"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += Duration::from_millis(20);
        }
        let next = lock
            .acquire(R, Duration::from_secs(30))
            .await
            .unwrap()
            .expect("once the paused holder's lease expired, the lock can be taken");
        assert!(
            next.fence > paused.fence,
            "the new holder's fence must be larger"
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
            "the paused holder's write with an old fence must be refused"
        );
        assert_eq!(
            lock.read("ledger").await.unwrap().as_deref(),
            Some("by the new holder"),
            "the stored value must be the new holder's"
        );
        assert!(
            !lock.release(&paused).await.unwrap(),
            "the paused holder's release must be refused"
        );
        assert_eq!(
            lock.acquire(R, Duration::from_secs(30)).await.unwrap(),
            None,
            "the new holder still holds the lock"
        );
        assert!(lock.release(&next).await.unwrap());
    })
    .await;
}

/// 20 tasks take the lock in turn to read, think and write a counter through
/// the fenced storage: it ends at exactly 20.
pub async fn holders_never_overlap(make: MakeFencedLock) {
    const TASKS: usize = 20;
    with_redis(|slot| async move {
        let lock = make(slot.conn.clone(), slot.prefix.clone());
        lock.write("count", "0", 0)
            .await
            .unwrap()
            .expect("the first write, fence 0, is accepted");
        together(TASKS, |_| {
            let lock = lock.clone();
            async move {
                let mut tries = 0;
                let guard = loop {
                    if let Some(g) = lock.acquire(R, Duration::from_secs(10)).await.unwrap() {
                        break g;
                    }
                    tries += 1;
                    assert!(tries < 5000, "a task never got the lock in 5000 tries");
                    tokio::time::sleep(Duration::from_millis(2)).await;
                };
                let read: u64 = lock.read("count").await.unwrap().unwrap().parse().unwrap();
                crate::think().await;
                lock.write("count", &(read + 1).to_string(), guard.fence)
                    .await
                    .unwrap()
                    .expect("the holder's write is accepted");
                assert!(
                    lock.release(&guard).await.unwrap(),
                    "the holder releases its own lock"
                );
            }
        })
        .await;
        let count = lock.read("count").await.unwrap();
        assert_eq!(
            count.as_deref(),
            Some(TASKS.to_string().as_str()),
            "{TASKS} holders each added one"
        );
    })
    .await;
}
