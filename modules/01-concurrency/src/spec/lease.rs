//! Spec of 01.3. These run on tokio's paused clock: `sleep` and `advance` move
//! time forward instantly, so leases of minutes are checked in microseconds.

use super::erased::DynLeaseLock;
use super::together;
use crate::lease::{Lease, NotOwner, WaitTimeout};
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
        .expect("a free resource can be taken");
    assert!(
        lease.expires_at >= Instant::now() + secs(30) - Duration::from_millis(1),
        "a lease of 30 s must expire 30 s from now"
    );
    assert_eq!(
        lock.try_acquire(R, secs(30)),
        None,
        "a held resource cannot be taken again"
    );
    assert!(
        lock.try_acquire("another", secs(30)).is_some(),
        "another resource is free"
    );

    let forged = Lease {
        token: "not-the-owner".into(),
        ..lease.clone()
    };
    assert_eq!(
        lock.release(&forged),
        Err(NotOwner),
        "a lease with another token must not release"
    );
    assert_eq!(
        lock.try_acquire(R, secs(30)),
        None,
        "a refused release must leave the lock held"
    );

    let other = lock.try_acquire("another-2", secs(30)).unwrap();
    assert_ne!(other.token, lease.token, "every lease needs its own token");
    assert_eq!(lock.release(&lease), Ok(()), "the owner may release");
    assert_eq!(
        lock.release(&lease),
        Err(NotOwner),
        "a lease released once cannot release again"
    );
    assert!(
        lock.try_acquire(R, secs(30)).is_some(),
        "a released resource can be taken"
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
        "9 s into a 10 s lease the resource is still held"
    );
    advance(secs(2)).await;
    let next = lock
        .try_acquire(R, secs(10))
        .expect("11 s into a 10 s lease the lease has expired and the resource can be taken");
    assert_eq!(
        lock.release(&crashed),
        Err(NotOwner),
        "the expired holder's release must be refused: it would free the new holder's lock"
    );
    assert_eq!(
        lock.try_acquire(R, secs(10)),
        None,
        "the new holder still holds the resource"
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
    assert_eq!(
        waited,
        Err(WaitTimeout),
        "waiting 1 s for a resource held 60 s must time out"
    );
    assert!(
        took >= secs(1) && took < Duration::from_millis(1100),
        "a wait of 1 s must give up after 1 s, it took {took:?}"
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
    assert!(
        lease.is_ok(),
        "the waiter must get the resource once it is released"
    );
    assert!(
        took < Duration::from_millis(5100),
        "the resource was released at 5 s but the waiter got it at {took:?}: wake waiters on release"
    );

    let start = Instant::now();
    let after_expiry = lock.acquire(R, secs(10), secs(30)).await;
    let took = start.elapsed();
    assert!(
        after_expiry.is_ok(),
        "the resource must come free when the 10 s lease expires"
    );
    assert!(
        took >= secs(9) && took < Duration::from_millis(10_100),
        "the holder's lease ran out 10 s after it was taken, 5 s ago or so; the waiter got it after {took:?}"
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
                .expect("with a wait of a minute every task gets its turn (each holds for 10 ms)");
            if inside.swap(true, Ordering::SeqCst) {
                overlaps.fetch_add(1, Ordering::SeqCst);
            }
            let read = value.load(Ordering::SeqCst);
            sleep(Duration::from_millis(10)).await;
            value.store(read + 1, Ordering::SeqCst);
            inside.store(false, Ordering::SeqCst);
            lock.release(&lease)
                .expect("a holder releases its own lease");
        }
    })
    .await;
    let (overlaps, value) = (
        overlaps.load(Ordering::SeqCst),
        value.load(Ordering::SeqCst),
    );
    assert!(
        overlaps == 0,
        "{overlaps} times a task took the lock while another held it"
    );
    assert!(
        value == TASKS as u64,
        "{TASKS} holders each added one, the value is {value}"
    );
}
