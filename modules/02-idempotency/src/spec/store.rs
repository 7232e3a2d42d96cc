//! Spec of 02.1. The outcome and expiry checks run on tokio's paused clock:
//! `advance` moves time forward instantly, so a retention of a day is checked
//! in microseconds. The race checks run on four worker threads, where tasks
//! really run at once.

use super::erased::DynIdempotencyStore;
use super::together;
use crate::store::{Begin, StoredResponse};
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::advance;

/// Makes an empty store with this retention and lease.
pub type MakeStore = fn(Duration, Duration) -> Arc<dyn DynIdempotencyStore>;

/// The checks of 02.1.
pub fn checks(make: MakeStore) -> Vec<Check> {
    vec![
        Check::new("each_outcome", Runtime::PausedClock, each_outcome(make)),
        Check::new(
            "completed_entries_expire_after_retention",
            Runtime::PausedClock,
            completed_entries_expire_after_retention(make),
        ),
        Check::new(
            "claims_expire_after_the_lease",
            Runtime::PausedClock,
            claims_expire_after_the_lease(make),
        ),
        Check::new(
            "one_of_many_racing_begins_wins",
            Runtime::Threads,
            one_of_many_racing_begins_wins(make),
        ),
        Check::new(
            "threads_in_lockstep_get_one_new",
            Runtime::Threads,
            threads_in_lockstep_get_one_new(make),
        ),
    ]
}

/// How long a completed response is kept. Payment APIs keep a day; an hour
/// here keeps the paused clock under the watchdog's simulated limit (2 h).
const RETENTION: Duration = Duration::from_secs(3600);
/// How long a claim holds without a completion: far shorter.
const LEASE: Duration = Duration::from_secs(30);

/// Two requests' fingerprints: a hash of method, path and body, in real life.
const CHARGE_10: &str = "POST /charges amount=10";
const CHARGE_99: &str = "POST /charges amount=99";

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn created() -> StoredResponse {
    StoredResponse {
        status: 201,
        headers: vec![("location".into(), "/charges/ch_1".into())],
        body: "{\"charge\":\"ch_1\",\"amount\":10}".into(),
    }
}

/// New, InFlight, Replay with the stored response, Mismatch; abandon frees a
/// key for its retry and leaves a completed one alone.
pub async fn each_outcome(make: MakeStore) {
    let store = make(RETENTION, LEASE);
    assert_eq!(
        store.begin("k1", CHARGE_10).await,
        Begin::New,
        "a key never seen before is New: the caller now holds its claim"
    );
    assert_eq!(
        store.begin("k1", CHARGE_10).await,
        Begin::InFlight,
        "a retry while the first request still works must get InFlight, not New: \
         with New the work runs twice"
    );
    assert_eq!(
        store.begin("k1", CHARGE_99).await,
        Begin::Mismatch,
        "the key of a request in flight, sent with another body, is a reused key: Mismatch"
    );
    assert_eq!(
        store.begin("k2", CHARGE_10).await,
        Begin::New,
        "another key is another request: New"
    );

    store.complete("k1", created()).await;
    for attempt in ["a retry", "a second retry"] {
        assert_eq!(
            store.begin("k1", CHARGE_10).await,
            Begin::Replay(created()),
            "{attempt} of a completed request, same body, must replay the stored response"
        );
    }
    assert_eq!(
        store.begin("k1", CHARGE_99).await,
        Begin::Mismatch,
        "a completed key sent with another body must be Mismatch: a Replay would hand \
         this request another request's answer (amount 10 for a charge of 99)"
    );

    store.abandon("k2").await;
    assert_eq!(
        store.begin("k2", CHARGE_99).await,
        Begin::New,
        "after abandon the key is free: a failed request is not stored, and its retry runs"
    );
    store.abandon("k1").await;
    assert_eq!(
        store.begin("k1", CHARGE_10).await,
        Begin::Replay(created()),
        "abandon drops a claim, never a completed response"
    );
}

/// A completed entry is replayed for the whole retention, counted from its
/// completion, and not after it.
pub async fn completed_entries_expire_after_retention(make: MakeStore) {
    let store = make(RETENTION, LEASE);
    assert_eq!(store.begin("k", CHARGE_10).await, Begin::New);
    advance(secs(10)).await;
    store.complete("k", created()).await;

    advance(RETENTION - secs(1)).await;
    assert_eq!(
        store.begin("k", CHARGE_10).await,
        Begin::Replay(created()),
        "1 s before the end of the retention (1 h, counted from the completion, not \
         from the claim) the response must still be replayed"
    );
    advance(secs(2)).await;
    assert_eq!(
        store.begin("k", CHARGE_99).await,
        Begin::New,
        "1 s after the retention the entry has expired: the key is new again, whatever the body"
    );
    assert_eq!(
        store.begin("k", CHARGE_99).await,
        Begin::InFlight,
        "the key claimed again after the expiry is in flight"
    );
}

/// A claim nobody completes (its request crashed) lapses after the lease, so
/// the retry runs; before that it holds.
pub async fn claims_expire_after_the_lease(make: MakeStore) {
    let store = make(RETENTION, LEASE);
    assert_eq!(store.begin("k", CHARGE_10).await, Begin::New);
    advance(LEASE - secs(1)).await;
    assert_eq!(
        store.begin("k", CHARGE_10).await,
        Begin::InFlight,
        "1 s before the end of its 30 s lease the claim still holds"
    );
    advance(secs(2)).await;
    assert_eq!(
        store.begin("k", CHARGE_10).await,
        Begin::New,
        "the claim's request crashed 31 s ago: its claim must lapse after the lease \
         (30 s), or it blocks its retry until the retention (1 h) ends"
    );
    assert_eq!(
        store.begin("k", CHARGE_10).await,
        Begin::InFlight,
        "the retry now holds the claim"
    );

    assert_eq!(store.begin("other", CHARGE_10).await, Begin::New);
    advance(LEASE + secs(1)).await;
    assert_eq!(
        store.begin("other", CHARGE_99).await,
        Begin::New,
        "a lapsed claim is gone, whatever its fingerprint was"
    );
}

const ROUNDS: usize = 200;
const RACERS: usize = 32;

/// 32 requests with one key start together, 200 times over: each time exactly
/// one gets New, and the others InFlight.
pub async fn one_of_many_racing_begins_wins(make: MakeStore) {
    let store = make(RETENTION, LEASE);
    for round in 0..ROUNDS {
        let key = Arc::new(format!("order-{round}"));
        let outcomes = together(RACERS, |_| {
            let (store, key) = (store.clone(), key.clone());
            async move { store.begin(&key, CHARGE_10).await }
        })
        .await;
        let news = outcomes.iter().filter(|o| **o == Begin::New).count();
        let in_flight = outcomes.iter().filter(|o| **o == Begin::InFlight).count();
        assert!(
            news == 1,
            "round {round}: {news} of {RACERS} requests racing with one key got New, so \
             the work would run {news} times: looking the key up and claiming it must be one step"
        );
        assert!(
            in_flight == RACERS - 1,
            "round {round}: of {RACERS} requests racing with one key one got New and {in_flight} \
             InFlight; every other must be InFlight"
        );
    }
}

const THREADS: usize = 2;
/// How many rounds the threads race, and for how long at most, in real time.
/// On an idle machine the rounds take a tenth of a second; the limit is for a
/// busy one.
const LOCKSTEP_ROUNDS: usize = 20_000;
const LOCKSTEP_LIMIT: Duration = Duration::from_secs(2);

/// Two threads race `begin` on a fresh key, in lockstep, round after round:
/// each round exactly one gets New. The threads meet at a spinning barrier
/// before each round, so they call `begin` within a few hundred nanoseconds of
/// each other: a look-up and a claim under two lock acquisitions leave a
/// window that small, and lockstep finds it many times a run.
pub async fn threads_in_lockstep_get_one_new(make: MakeStore) {
    let store = make(RETENTION, LEASE);
    let arrived = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicU64::new(u64::MAX));
    let news: Arc<Vec<AtomicU64>> =
        Arc::new((0..LOCKSTEP_ROUNDS).map(|_| AtomicU64::new(0)).collect());
    let handle = tokio::runtime::Handle::current();
    let began = std::time::Instant::now();
    let threads = (0..THREADS)
        .map(|_| {
            let (store, arrived, stop, news, handle) = (
                store.clone(),
                arrived.clone(),
                stop.clone(),
                news.clone(),
                handle.clone(),
            );
            tokio::task::spawn_blocking(move || {
                // A thread that panics lets the others out of the barrier.
                let _guard = OnPanic(stop.clone());
                for round in 0..LOCKSTEP_ROUNDS {
                    if began.elapsed() > LOCKSTEP_LIMIT {
                        // Every thread reads the stop after the barrier, so all
                        // stop after the same round and none waits alone.
                        stop.fetch_min(round as u64, Ordering::SeqCst);
                    }
                    // The spinning barrier: wait for every thread to reach this round.
                    arrived.fetch_add(1, Ordering::SeqCst);
                    let all = ((round + 1) * THREADS) as u64;
                    let mut spins = 0u32;
                    while arrived.load(Ordering::SeqCst) < all {
                        if stop.load(Ordering::SeqCst) == 0 {
                            return;
                        }
                        spins += 1;
                        if spins % 64 == 0 {
                            std::thread::yield_now();
                        } else {
                            std::hint::spin_loop();
                        }
                    }
                    if round as u64 >= stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let key = format!("hot-{round}");
                    match handle.block_on(store.begin(&key, CHARGE_10)) {
                        Begin::New => {
                            news[round].fetch_add(1, Ordering::SeqCst);
                        }
                        Begin::InFlight => {}
                        other => panic!(
                            "{THREADS} requests with one key and one body: begin answered \
                             {other:?}, expected New or InFlight"
                        ),
                    }
                }
            })
        })
        .collect();
    racecourse_kit::spec::join_all(threads).await;
    let rounds = (stop.load(Ordering::SeqCst) as usize).min(LOCKSTEP_ROUNDS);
    let twice: Vec<(usize, u64)> = (0..rounds)
        .map(|r| (r, news[r].load(Ordering::SeqCst)))
        .filter(|(_, n)| *n != 1)
        .collect();
    assert!(
        twice.is_empty(),
        "{} of {rounds} rounds of {THREADS} threads racing with one key did not give exactly one \
         New (round {}: {} New): the work ran twice at once; looking the key up and claiming it \
         must be one step",
        twice.len(),
        twice[0].0,
        twice[0].1
    );
}

/// Stops every lockstep thread when the thread holding it panics.
struct OnPanic(Arc<AtomicU64>);

impl Drop for OnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(0, Ordering::SeqCst);
        }
    }
}
