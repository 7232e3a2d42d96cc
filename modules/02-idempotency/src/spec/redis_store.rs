//! Spec of 02.3, against a real Redis with a key prefix of the test's own.
//! Redis keeps the time, so the expiry checks wait in real time, with a lease
//! and a retention of a few hundred milliseconds.

use super::erased::DynRedisIdempotencyStore;
use super::together;
use crate::redis_store::entry_key;
use crate::store::{Begin, StoredResponse};
use racecourse_kit::i18n::t;
use racecourse_kit::pause::Pausable;
use racecourse_kit::services::{RedisSlot, with_redis};
use racecourse_kit::spec::OrFail;
use racecourse_kit::spec::{Check, Runtime};
use redis::aio::ConnectionManager;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Makes a store on a Redis connection, under a key prefix, with this
/// retention and lease.
pub type MakeRedisStore =
    fn(ConnectionManager, String, Duration, Duration) -> Arc<dyn DynRedisIdempotencyStore>;

/// The checks of 02.3.
pub fn checks(make: MakeRedisStore) -> Vec<Check> {
    vec![
        Check::new("each_outcome", Runtime::Threads, each_outcome(make)),
        Check::new(
            "abandon_drops_only_a_claim",
            Runtime::Threads,
            abandon_drops_only_a_claim(make),
        ),
        Check::new(
            "completed_entries_carry_the_retention",
            Runtime::Threads,
            completed_entries_carry_the_retention(make),
        ),
        Check::new(
            "claims_expire_after_the_lease",
            Runtime::Threads,
            claims_expire_after_the_lease(make),
        ),
        Check::new(
            "one_of_many_racing_begins_wins",
            Runtime::Threads,
            one_of_many_racing_begins_wins(make),
        ),
        Check::new(
            "a_pause_between_two_commands_changes_nothing",
            Runtime::Threads,
            a_pause_between_two_commands_changes_nothing(make),
        ),
    ]
}

/// A day, as Stripe keeps keys; the retention check also uses a short one.
const RETENTION: Duration = Duration::from_secs(24 * 3600);
const LEASE: Duration = Duration::from_secs(30);

const CHARGE_10: &str = "POST /charges amount=10";
const CHARGE_99: &str = "POST /charges amount=99";

fn created() -> StoredResponse {
    StoredResponse {
        status: 201,
        headers: vec![
            ("location".into(), "/charges/ch_1".into()),
            ("x-note".into(), "a \"quoted\"\nvalue".into()),
        ],
        body: "{\"charge\":\"ch_1\",\"amount\":10}".into(),
    }
}

fn open(
    slot: &RedisSlot,
    retention: Duration,
    lease: Duration,
    make: MakeRedisStore,
) -> Arc<dyn DynRedisIdempotencyStore> {
    make(slot.conn.clone(), slot.prefix.clone(), retention, lease)
}

async fn pttl(slot: &RedisSlot, key: &str) -> i64 {
    redis::cmd("PTTL")
        .arg(entry_key(&slot.prefix, key))
        .query_async(&mut slot.conn.clone())
        .await
        .unwrap()
}

/// Waits until `key`'s entry is gone, as a TTL of `ttl` makes it go.
async fn until_expired(slot: &RedisSlot, key: &str, ttl: Duration, what: &str) {
    let began = std::time::Instant::now();
    loop {
        let left = pttl(slot, key).await;
        if left == -2 {
            return;
        }
        assert!(left != -1, "{}", t!("spec-02-3-no-ttl", what = what));
        assert!(
            began.elapsed() < ttl + Duration::from_millis(500),
            "{}",
            t!(
                "spec-02-3-still-there",
                what = what,
                ttl = format!("{ttl:?}"),
                elapsed = format!("{:?}", began.elapsed())
            )
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// New, InFlight, Replay with the stored response (headers and all), Mismatch.
pub async fn each_outcome(make: MakeRedisStore) {
    with_redis(move |slot| async move {
        let store = open(&slot, RETENTION, LEASE, make);
        assert_eq!(
            store.begin("k1", CHARGE_10).await.unwrap(),
            Begin::New,
            "{}",
            t!("spec-02-1-new")
        );
        assert_eq!(
            store.begin("k1", CHARGE_10).await.unwrap(),
            Begin::InFlight,
            "{}",
            t!("spec-02-1-in-flight")
        );
        assert_eq!(
            store.begin("k1", CHARGE_99).await.unwrap(),
            Begin::Mismatch,
            "{}",
            t!("spec-02-1-mismatch-in-flight")
        );
        assert_eq!(
            store.begin("k2", CHARGE_10).await.unwrap(),
            Begin::New,
            "{}",
            t!("spec-02-3-another-key")
        );

        store.complete("k1", created()).await.unwrap();
        for attempt in [t!("spec-02-1-a-retry"), t!("spec-02-1-second-retry")] {
            assert_eq!(
                store.begin("k1", CHARGE_10).await.unwrap(),
                Begin::Replay(created()),
                "{}",
                t!("spec-02-1-replays", attempt = attempt)
            );
        }
        assert_eq!(
            store.begin("k1", CHARGE_99).await.unwrap(),
            Begin::Mismatch,
            "{}",
            t!("spec-02-3-mismatch-completed")
        );
    })
    .await;
}

/// abandon frees a claim for its retry, and leaves a completed entry alone.
pub async fn abandon_drops_only_a_claim(make: MakeRedisStore) {
    with_redis(move |slot| async move {
        let store = open(&slot, RETENTION, LEASE, make);
        assert_eq!(store.begin("failed", CHARGE_10).await.unwrap(), Begin::New);
        store.abandon("failed").await.unwrap();
        assert_eq!(
            store.begin("failed", CHARGE_99).await.unwrap(),
            Begin::New,
            "{}",
            t!("spec-02-1-abandon-frees")
        );

        assert_eq!(store.begin("done", CHARGE_10).await.unwrap(), Begin::New);
        store.complete("done", created()).await.unwrap();
        store.abandon("done").await.unwrap();
        assert_eq!(
            store.begin("done", CHARGE_10).await.unwrap(),
            Begin::Replay(created()),
            "{}",
            t!("spec-02-3-abandon-deleted")
        );
    })
    .await;
}

/// `complete` gives the entry the retention as its TTL, counted from the
/// completion; it is replayed until then and gone after.
pub async fn completed_entries_carry_the_retention(make: MakeRedisStore) {
    with_redis(move |slot| async move {
        let store = open(&slot, RETENTION, Duration::from_millis(200), make);
        assert_eq!(store.begin("day", CHARGE_10).await.unwrap(), Begin::New);
        store.complete("day", created()).await.unwrap();
        let ttl = pttl(&slot, "day").await;
        assert!(
            ttl > 3_600_000 && ttl <= RETENTION.as_millis() as i64,
            "{}",
            t!(
                "spec-02-3-retention-ttl",
                got = match ttl {
                    -1 => t!("spec-02-3-ttl-never"),
                    -2 => t!("spec-02-3-ttl-gone"),
                    ms => t!("spec-02-3-ttl-ms", ms = ms),
                }
            )
        );

        let retention = Duration::from_millis(300);
        let store = open(&slot, retention, LEASE, make);
        assert_eq!(store.begin("short", CHARGE_10).await.unwrap(), Begin::New);
        store.complete("short", created()).await.unwrap();
        assert_eq!(
            store.begin("short", CHARGE_10).await.unwrap(),
            Begin::Replay(created()),
            "{}",
            t!("spec-02-3-within-retention")
        );
        let what = t!("spec-02-3-completed-entry");
        until_expired(&slot, "short", retention, &what).await;
        assert_eq!(
            store.begin("short", CHARGE_99).await.unwrap(),
            Begin::New,
            "{}",
            t!("spec-02-3-after-retention")
        );
    })
    .await;
}

/// A claim nobody completes (its request crashed) carries the lease as its
/// TTL and lapses after it, so the retry gets New.
pub async fn claims_expire_after_the_lease(make: MakeRedisStore) {
    with_redis(move |slot| async move {
        let lease = Duration::from_millis(300);
        let store = open(&slot, RETENTION, lease, make);
        assert_eq!(store.begin("crashed", CHARGE_10).await.unwrap(), Begin::New);
        let ttl = pttl(&slot, "crashed").await;
        assert!(
            ttl > 0 && ttl <= lease.as_millis() as i64,
            "{}",
            t!(
                "spec-02-3-lease-ttl",
                lease = format!("{lease:?}"),
                ttl = ttl
            )
        );
        assert_eq!(
            store.begin("crashed", CHARGE_10).await.unwrap(),
            Begin::InFlight,
            "{}",
            t!("spec-02-3-within-lease")
        );
        until_expired(&slot, "crashed", lease, &t!("spec-02-3-the-claim")).await;
        assert_eq!(
            store.begin("crashed", CHARGE_10).await.unwrap(),
            Begin::New,
            "{}",
            t!("spec-02-3-lease-ran-out")
        );
    })
    .await;
}

const ROUNDS: usize = 20;
const RACERS: usize = 50;

/// 50 requests with one key start together, 20 times over: each time exactly
/// one gets New, and the others InFlight.
pub async fn one_of_many_racing_begins_wins(make: MakeRedisStore) {
    with_redis(move |slot| async move {
        let store = open(&slot, RETENTION, LEASE, make);
        for round in 0..ROUNDS {
            let key = Arc::new(format!("order-{round}"));
            let outcomes = together(RACERS, |_| {
                let (store, key) = (store.clone(), key.clone());
                async move { store.begin(&key, CHARGE_10).await.unwrap() }
            })
            .await;
            let news = outcomes.iter().filter(|o| **o == Begin::New).count();
            let in_flight = outcomes.iter().filter(|o| **o == Begin::InFlight).count();
            assert!(
                news == 1,
                "{}",
                t!(
                    "spec-02-3-racing-news",
                    round = round,
                    news = news,
                    racers = RACERS
                )
            );
            assert!(
                in_flight == RACERS - 1,
                "{}",
                t!(
                    "spec-02-1-racing-in-flight",
                    round = round,
                    racers = RACERS,
                    in_flight = in_flight
                )
            );
        }
    })
    .await;
}

/// Waits until the paused client has sent one command and is held before its
/// next one, or has finished (it had only the one).
async fn gap<T>(proxy: &Pausable, call: &JoinHandle<T>) {
    tokio::select! {
        () = proxy.paused() => {}
        () = async { while !call.is_finished() { tokio::time::sleep(Duration::from_millis(1)).await } } => {}
        () = tokio::time::sleep(Duration::from_secs(5)) => panic!("{}", t!("spec-02-3-sent-nothing")),
    }
}

/// One client's `begin` is paused after its first command (a proxy holds its
/// next one) while another client's `begin`, with the same key and another
/// body, runs in the gap. One command (a SET NX PX, or a script) leaves no
/// gap: exactly one of the two gets New, and the other Mismatch.
pub async fn a_pause_between_two_commands_changes_nothing(make: MakeRedisStore) {
    with_redis(move |slot| async move {
        let other = open(&slot, RETENTION, LEASE, make);
        let proxy = Pausable::connect(&slot.url)
            .await
            .or_fail(|| t!("spec-02-3-proxy"));
        let paused = make(proxy.conn.clone(), slot.prefix.clone(), RETENTION, LEASE);

        proxy.hold_after_next();
        let call = tokio::spawn({
            let paused = paused.clone();
            async move { paused.begin("paused", CHARGE_10).await }
        });
        gap(&proxy, &call).await;
        let between = other.begin("paused", CHARGE_99).await.unwrap();
        proxy.resume();
        let late = call.await.unwrap().unwrap();
        let answers = [&late, &between];
        let news = answers.iter().filter(|a| ***a == Begin::New).count();
        assert!(
            news == 1 && answers.contains(&&Begin::Mismatch),
            "{}",
            t!(
                "spec-02-3-pause",
                late = format!("{late:?}"),
                between = format!("{between:?}"),
                why = if news == 2 {
                    t!("spec-02-3-pause-both")
                } else {
                    t!("spec-02-3-pause-stale")
                }
            )
        );
    })
    .await;
}
