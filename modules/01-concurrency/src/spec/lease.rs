//! Spec of 01.3. These run on tokio's paused clock: `sleep` and `advance` move
//! time forward instantly, so leases of minutes are checked in microseconds.

use super::erased::DynLeaseLock;
use super::together;
use crate::lease::{Lease, NotOwner, WaitTimeout};
use racecourse_kit::i18n::t;
use racecourse_kit::spec::OrFail;
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::{Instant, advance, sleep};

/// Makes a lock with nothing held.
pub type MakeLeaseLock = fn() -> Arc<dyn DynLeaseLock>;

/// The checks of 01.3, on tokio's paused clock.
pub fn checks(make: MakeLeaseLock) -> Vec<Check> {
    vec![
        Check::new(
            "only_the_owner_releases",
            Runtime::PausedClock,
            only_the_owner_releases(make),
        ),
        Check::new(
            "expired_lease_can_be_taken",
            Runtime::PausedClock,
            expired_lease_can_be_taken(make),
        ),
        Check::new(
            "waiting_times_out_or_wakes",
            Runtime::PausedClock,
            waiting_times_out_or_wakes(make),
        ),
        Check::new(
            "holders_never_overlap",
            Runtime::PausedClock,
            holders_never_overlap(make),
        ),
    ]
}

const R: &str = "report-42";

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A taken resource cannot be taken again; a forged or stranger's lease cannot
/// release it; the owner can.
pub async fn only_the_owner_releases(make: MakeLeaseLock) {
    let lock = make();
    let lease = lock
        .try_acquire(R, secs(30))
        .unwrap_or_else(|| panic!("{}", t!("spec-01-3-free-taken")));
    assert!(
        lease.expires_at >= Instant::now() + secs(30) - Duration::from_millis(1),
        "{}",
        t!("spec-01-3-expires")
    );
    assert_eq!(
        lock.try_acquire(R, secs(30)),
        None,
        "{}",
        t!("spec-01-3-held")
    );
    assert!(
        lock.try_acquire("another", secs(30)).is_some(),
        "{}",
        t!("spec-01-3-another-free")
    );

    let forged = Lease {
        token: "not-the-owner".into(),
        ..lease.clone()
    };
    assert_eq!(
        lock.release(&forged),
        Err(NotOwner),
        "{}",
        t!("spec-01-3-forged")
    );
    assert_eq!(
        lock.try_acquire(R, secs(30)),
        None,
        "{}",
        t!("spec-01-3-refused-release")
    );

    let other = lock.try_acquire("another-2", secs(30)).unwrap();
    assert_ne!(other.token, lease.token, "{}", t!("spec-01-3-own-token"));
    assert_eq!(
        lock.release(&lease),
        Ok(()),
        "{}",
        t!("spec-01-3-owner-releases")
    );
    assert_eq!(
        lock.release(&lease),
        Err(NotOwner),
        "{}",
        t!("spec-01-3-released-twice")
    );
    assert!(
        lock.try_acquire(R, secs(30)).is_some(),
        "{}",
        t!("spec-01-3-released-taken")
    );
}

/// A holder that crashed holds no longer than its lease; its late release must
/// not free the new holder's lock.
pub async fn expired_lease_can_be_taken(make: MakeLeaseLock) {
    let lock = make();
    let crashed = lock.try_acquire(R, secs(10)).unwrap();
    advance(secs(9)).await;
    assert_eq!(
        lock.try_acquire(R, secs(10)),
        None,
        "{}",
        t!("spec-01-3-still-held")
    );
    advance(secs(2)).await;
    let next = lock
        .try_acquire(R, secs(10))
        .unwrap_or_else(|| panic!("{}", t!("spec-01-3-expired-taken")));
    assert_eq!(
        lock.release(&crashed),
        Err(NotOwner),
        "{}",
        t!("spec-01-3-expired-release")
    );
    assert_eq!(
        lock.try_acquire(R, secs(10)),
        None,
        "{}",
        t!("spec-01-3-new-holder")
    );
    assert_eq!(lock.release(&next), Ok(()));
}

/// `acquire` gives up at its deadline, and wakes as soon as the resource comes
/// free by release or by expiry, without waiting for the deadline.
pub async fn waiting_times_out_or_wakes(make: MakeLeaseLock) {
    let lock = make();
    let held = lock.try_acquire(R, secs(60)).unwrap();

    let start = Instant::now();
    let waited = lock.acquire(R, secs(10), secs(1)).await;
    let took = start.elapsed();
    assert_eq!(waited, Err(WaitTimeout), "{}", t!("spec-01-3-times-out"));
    assert!(
        took >= secs(1) && took < Duration::from_millis(1100),
        "{}",
        t!("spec-01-3-gives-up", took = format!("{took:?}"))
    );

    let waiter = {
        let lock = lock.clone();
        tokio::spawn(async move {
            let start = Instant::now();
            let lease = lock.acquire(R, secs(10), secs(30)).await;
            (lease, start.elapsed())
        })
    };
    sleep(secs(5)).await;
    lock.release(&held).unwrap();
    let (lease, took) = waiter.await.unwrap();
    assert!(lease.is_ok(), "{}", t!("spec-01-3-waiter-gets"));
    assert!(
        took < Duration::from_millis(5100),
        "{}",
        t!("spec-01-3-wake-on-release", took = format!("{took:?}"))
    );

    let start = Instant::now();
    let after_expiry = lock.acquire(R, secs(10), secs(30)).await;
    let took = start.elapsed();
    assert!(after_expiry.is_ok(), "{}", t!("spec-01-3-free-on-expiry"));
    assert!(
        took >= secs(9) && took < Duration::from_millis(10_100),
        "{}",
        t!("spec-01-3-wake-on-expiry", took = format!("{took:?}"))
    );
}

/// 50 tasks take the same resource in turn for a read, think, write of a shared
/// value: no two are ever inside at once, and no write is lost.
pub async fn holders_never_overlap(make: MakeLeaseLock) {
    const TASKS: usize = 50;
    let lock = make();
    let inside = Arc::new(AtomicBool::new(false));
    let value = Arc::new(AtomicU64::new(0));
    let overlaps = Arc::new(AtomicU64::new(0));
    together(TASKS, |_| {
        let (lock, inside, value, overlaps) = (
            lock.clone(),
            inside.clone(),
            value.clone(),
            overlaps.clone(),
        );
        async move {
            let lease = lock
                .acquire(R, secs(60), secs(60))
                .await
                .or_fail(|| t!("spec-01-3-turn"));
            if inside.swap(true, Ordering::SeqCst) {
                overlaps.fetch_add(1, Ordering::SeqCst);
            }
            let read = value.load(Ordering::SeqCst);
            sleep(Duration::from_millis(10)).await;
            value.store(read + 1, Ordering::SeqCst);
            inside.store(false, Ordering::SeqCst);
            lock.release(&lease)
                .or_fail(|| t!("spec-01-3-releases-own"));
        }
    })
    .await;
    let (overlaps, value) = (
        overlaps.load(Ordering::SeqCst),
        value.load(Ordering::SeqCst),
    );
    assert!(
        overlaps == 0,
        "{}",
        t!("spec-01-3-overlaps", overlaps = overlaps)
    );
    assert!(
        value == TASKS as u64,
        "{}",
        t!("spec-01-3-value", tasks = TASKS, value = value)
    );
}
