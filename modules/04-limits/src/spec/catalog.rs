//! Spec of 04.6, against PostgreSQL (a schema of the test's own, migrated) and
//! Redis (a key prefix of the test's own). The database counts the searches
//! that reach it (`search_calls`), and the spec holds the two dangerous gaps
//! open on every run: a search that has read its rows but not yet cached them
//! (the `gate` row, which every search passes after reading), and an update
//! that has not committed yet (a lock on the product's row).

use super::erased::DynCatalogCache;
use super::together;
use crate::MIGRATOR;
use crate::catalog::{Product, TTL, version_key};
use racecourse_kit::i18n::t;
use racecourse_kit::services::{RedisSlot, with_pg, with_redis};
use racecourse_kit::spec::{Check, OrFail, Runtime};
use redis::aio::ConnectionManager;
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres, Transaction};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Makes a cache over a pool, on a Redis connection, under a key prefix.
pub type MakeCatalog = fn(PgPool, ConnectionManager, String) -> Arc<dyn DynCatalogCache>;

/// The checks of 04.6.
pub fn checks(make: MakeCatalog) -> Vec<Check> {
    vec![
        Check::new(
            "a_hit_makes_no_query",
            Runtime::Threads,
            a_hit_makes_no_query(make),
        ),
        Check::new(
            "an_update_is_seen_at_once",
            Runtime::Threads,
            an_update_is_seen_at_once(make),
        ),
        Check::new(
            "a_late_miss_never_caches_stale",
            Runtime::Threads,
            a_late_miss_never_caches_stale(make),
        ),
        Check::new(
            "a_read_during_the_update_never_caches_stale",
            Runtime::Threads,
            a_read_during_the_update_never_caches_stale(make),
        ),
        Check::new(
            "concurrent_misses_make_one_query",
            Runtime::Threads,
            concurrent_misses_make_one_query(make),
        ),
    ]
}

/// Runs `body` with a seeded catalog, a Redis slot and the cache under test.
async fn with_catalog<F, Fut>(make: MakeCatalog, body: F)
where
    F: FnOnce(PgPool, RedisSlot, Arc<dyn DynCatalogCache>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        sqlx::query(
            "INSERT INTO products (id, name, price_cents) VALUES \
             (1, 'Desk lamp', 2500), (2, 'Floor lamp', 8900), (3, 'Desk', 15000), \
             (4, 'Lamp shade', 1200)",
        )
        .execute(&pool)
        .await
        .or_fail(|| t!("spec-04-6-seed"));
        with_redis(move |slot| async move {
            let cache = make(pool.clone(), slot.conn.clone(), slot.prefix.clone());
            body(pool, slot, cache).await;
        })
        .await;
    })
    .await;
}

/// How many searches reached the database.
async fn calls(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM search_calls")
        .fetch_one(pool)
        .await
        .or_fail(|| t!("spec-04-6-read-calls"))
}

async fn search(cache: &dyn DynCatalogCache, query: &str) -> Vec<Product> {
    cache.search(query).await.unwrap_or_else(|e| {
        panic!(
            "{}",
            t!(
                "spec-04-6-search-failed",
                query = query,
                error = e.to_string()
            )
        )
    })
}

fn prices(products: &[Product]) -> Vec<(i64, i64)> {
    products.iter().map(|p| (p.id, p.price_cents)).collect()
}

/// Holds the gate: a search that misses waits on it between its read and
/// its write to Redis.
const GATE: &str = "SELECT 1 FROM gate FOR UPDATE";
/// Holds product 1's row: an update of its price waits before its commit.
const PRODUCT_1: &str = "SELECT 1 FROM products WHERE id = 1 FOR UPDATE";

/// A transaction holding the row lock that `lock` takes, and a connection
/// of the spec's own to watch who waits on it ([`until_someone_waits`]): how
/// a check stops a search or an update at a point of its choosing, then lets
/// it go by committing. The watcher is taken first, before a task could take
/// every connection of the pool.
async fn hold(
    pool: &PgPool,
    lock: &'static str,
    step: impl FnOnce() -> String,
) -> (PoolConnection<Postgres>, Transaction<'static, Postgres>) {
    let watcher = pool.acquire().await.or_fail(|| t!("spec-04-6-connection"));
    let mut held = pool.begin().await.or_fail(|| t!("spec-04-6-begin"));
    sqlx::query(lock).execute(&mut *held).await.or_fail(step);
    (watcher, held)
}

/// Waits until one of the test's database sessions waits on a lock (the gate,
/// or a product's row), for up to 10 s, or until `task` ends (a stub's panic,
/// which the caller re-raises when it awaits the task). It asks on a
/// connection of its own, taken before the searches could take every
/// connection of the pool.
async fn until_someone_waits<T>(
    watcher: &mut sqlx::PgConnection,
    task: &JoinHandle<T>,
    what: &str,
) {
    for _ in 0..2000 {
        if task.is_finished() {
            return;
        }
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE application_name = current_setting('application_name') \
             AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut *watcher)
        .await
        .or_fail(|| t!("spec-04-6-read-activity"));
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{}", t!("spec-04-6-never-reached", what = what));
}

/// A second search of the same words is answered from Redis; every cached
/// search expires after the TTL; the namespace version never does.
pub async fn a_hit_makes_no_query(make: MakeCatalog) {
    with_catalog(make, |pool, slot, cache| async move {
        let first = search(&*cache, "lamp").await;
        assert!(
            prices(&first) == vec![(1, 2500), (2, 8900), (4, 1200)],
            "{}",
            t!("spec-04-6-lamp", got = format!("{first:?}"))
        );
        let again = search(&*cache, "lamp").await;
        assert!(
            again == first,
            "{}",
            t!(
                "spec-04-6-cached",
                got = format!("{again:?}"),
                expected = format!("{first:?}")
            )
        );
        let n = calls(&pool).await;
        assert!(n == 1, "{}", t!("spec-04-6-hit", queries = n));
        search(&*cache, "desk").await;
        assert!(calls(&pool).await == 2, "{}", t!("spec-04-6-another-miss"));
        let mut conn = slot.conn.clone();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", slot.prefix))
            .query_async(&mut conn)
            .await
            .or_fail(|| t!("spec-04-6-keys"));
        let version = version_key(&slot.prefix);
        let mut entries = 0;
        for key in keys {
            let ttl: i64 = redis::cmd("PTTL")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .or_fail(|| t!("spec-04-6-pttl"));
            if key == version {
                assert!(
                    ttl == -1,
                    "{}",
                    t!("spec-04-6-version-ttl", key = key, ttl = ttl)
                );
            } else {
                entries += 1;
                let max = TTL.as_millis() as i64;
                assert!(
                    ttl > max - 10_000 && ttl <= max,
                    "{}",
                    t!("spec-04-6-entry-ttl", key = key, ttl = ttl, max = max)
                );
            }
        }
        assert!(
            entries == 2,
            "{}",
            t!("spec-04-6-entries", entries = entries)
        );
    })
    .await;
}

/// After `update_price` returns, every cached search holding the product
/// shows the new price.
pub async fn an_update_is_seen_at_once(make: MakeCatalog) {
    with_catalog(make, |_pool, _slot, cache| async move {
        search(&*cache, "lamp").await;
        search(&*cache, "desk").await;
        cache
            .update_price(1, 2900)
            .await
            .or_fail(|| t!("spec-04-6-update-price"));
        for query in ["lamp", "desk"] {
            let got = search(&*cache, query).await;
            assert!(
                got.iter().any(|p| p.id == 1 && p.price_cents == 2900),
                "{}",
                t!(
                    "spec-04-6-stale",
                    query = query,
                    got = format!("{:?}", prices(&got))
                )
            );
        }
    })
    .await;
}

/// A search reads its rows, then (held at the gate) the update commits and
/// invalidates, then the search caches what it read: the next search must
/// not answer that old price.
pub async fn a_late_miss_never_caches_stale(make: MakeCatalog) {
    with_catalog(make, |pool, _slot, cache| async move {
        let (mut watcher, gate) = hold(&pool, GATE, || t!("spec-04-6-hold-gate")).await;
        let late = {
            let cache = cache.clone();
            tokio::spawn(async move { cache.search("lamp").await })
        };
        until_someone_waits(&mut watcher, &late, &t!("spec-04-6-what-search")).await;
        tokio::time::timeout(Duration::from_secs(10), cache.update_price(1, 3100))
            .await
            .or_fail(|| t!("spec-04-6-update-waited"))
            .or_fail(|| t!("spec-04-6-update-price"));
        gate.commit().await.or_fail(|| t!("spec-04-6-release-gate"));
        racecourse_kit::spec::join(late)
            .await
            .or_fail(|| t!("spec-04-6-late-search"));
        let got = search(&*cache, "lamp").await;
        assert!(
            got.iter().any(|p| p.id == 1 && p.price_cents == 3100),
            "{}",
            t!("spec-04-6-late-write", got = format!("{:?}", prices(&got)))
        );
    })
    .await;
}

/// The update is held before its commit while a search runs: the search may
/// answer the old price (the update has not happened yet), but once the update
/// returns, no search may.
pub async fn a_read_during_the_update_never_caches_stale(make: MakeCatalog) {
    with_catalog(make, |pool, _slot, cache| async move {
        let (mut watcher, row) = hold(&pool, PRODUCT_1, || t!("spec-04-6-lock-product")).await;
        let update = {
            let cache = cache.clone();
            tokio::spawn(async move { cache.update_price(1, 4200).await })
        };
        until_someone_waits(&mut watcher, &update, &t!("spec-04-6-what-update")).await;
        let during = search(&*cache, "lamp").await;
        assert!(
            during.iter().any(|p| p.id == 1 && p.price_cents == 2500),
            "{}",
            t!("spec-04-6-during", got = format!("{:?}", prices(&during)))
        );
        row.commit()
            .await
            .or_fail(|| t!("spec-04-6-release-product"));
        racecourse_kit::spec::join(update)
            .await
            .or_fail(|| t!("spec-04-6-update-price"));
        let got = search(&*cache, "lamp").await;
        assert!(
            got.iter().any(|p| p.id == 1 && p.price_cents == 4200),
            "{}",
            t!(
                "spec-04-6-bump-before-commit",
                got = format!("{:?}", prices(&got))
            )
        );
    })
    .await;
}

/// 100 searches for the same words at once, on a cold cache, the database
/// slow to answer: exactly one query reaches it.
pub async fn concurrent_misses_make_one_query(make: MakeCatalog) {
    with_catalog(make, |pool, _slot, cache| async move {
        let (mut watcher, gate) = hold(&pool, GATE, || t!("spec-04-6-hold-gate")).await;
        let searches = {
            let cache = cache.clone();
            tokio::spawn(async move {
                together(100, |_| {
                    let cache = cache.clone();
                    async move { cache.search("lamp").await }
                })
                .await
            })
        };
        until_someone_waits(&mut watcher, &searches, &t!("spec-04-6-what-first-search")).await;
        // Give the other 99 time to miss too while the first is held.
        tokio::time::sleep(Duration::from_millis(200)).await;
        gate.commit().await.or_fail(|| t!("spec-04-6-release-gate"));
        let results = racecourse_kit::spec::join(searches).await;
        let n = calls(&pool).await;
        assert!(n == 1, "{}", t!("spec-04-6-stampede", queries = n));
        for r in results {
            let got = r.or_fail(|| t!("spec-04-6-a-search"));
            assert!(
                prices(&got) == vec![(1, 2500), (2, 8900), (4, 1200)],
                "{}",
                t!("spec-04-6-waited-answer", got = format!("{got:?}"))
            );
        }
    })
    .await;
}
