//! # 04.6 Cache-aside catalog search (PostgreSQL + Redis)
//!
//! **The races.** An update that deletes the cached searches races with a
//! search that read the old rows just before: its write lands after the
//! delete, and the old price is served for five minutes. An update that
//! invalidates before its write commits lets a search in between cache the old
//! rows as new. And when a popular search expires, a hundred requests at once
//! all miss and all query the database: the stampede.
//!
//! **Your task.** `search`: read the namespace version, look up
//! `entry_key(prefix, version, query)`; on a miss, one task per key queries
//! (`query_products`) and caches the answer `SET ... EX 300` under the version
//! it read before the query, the others wait for that answer (single-flight).
//! `update_price`: `set_price` (committed when it returns), then `INCR` the
//! version. Never `KEYS` or `SCAN`.
//!
//! **The spec checks** that a hit makes no query and entries expire, that an
//! update is seen at once, two interleavings held open on every run (a search
//! that caches after the update; a search while the update has not committed),
//! and that 100 concurrent misses make one query.
//!
//! Run `cargo xtask test 04.6`; stuck? `cargo xtask hint 04.6`.

use racecourse_04::catalog::{
    TTL, current_version, entry_key, query_products, set_price, version_key,
};
use racecourse_04::{CacheError, CatalogCache, Product};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The answer of one search in flight, shared by every task waiting for it.
type Flight = Arc<OnceCell<Result<Vec<Product>, CacheError>>>;

pub struct Catalog {
    pool: PgPool,
    redis: ConnectionManager,
    prefix: String,
    /// The searches in flight, by entry key.
    flights: Mutex<HashMap<String, Flight>>,
}

impl Catalog {
    /// The cached answer under `key`, if any.
    async fn cached(&self, key: &str) -> Result<Option<Vec<Product>>, CacheError> {
        let mut redis = self.redis.clone();
        let hit: Option<String> = redis.get(key).await?;
        Ok(match hit {
            Some(json) => Some(serde_json::from_str(&json)?),
            None => None,
        })
    }

    // ANCHOR: load
    /// The flight's work: look once more (a search that missed just before the
    /// previous flight landed finds its answer here), else query and cache.
    async fn load(&self, key: &str, query: &str) -> Result<Vec<Product>, CacheError> {
        if let Some(products) = self.cached(key).await? {
            return Ok(products);
        }
        let products = query_products(&self.pool, query).await?;
        let mut redis = self.redis.clone();
        let _: () = redis
            .set_ex(key, serde_json::to_string(&products)?, TTL.as_secs())
            .await?;
        Ok(products)
    }
    // ANCHOR_END: load
}

impl CatalogCache for Catalog {
    fn new(pool: PgPool, redis: ConnectionManager, prefix: String) -> Self {
        Catalog {
            pool,
            redis,
            prefix,
            flights: Mutex::new(HashMap::new()),
        }
    }

    // ANCHOR: search
    async fn search(&self, query: &str) -> Result<Vec<Product>, CacheError> {
        let mut redis = self.redis.clone();
        // The version is read before the query: if an update bumps it while
        // we query, what we cache lands under the old version, which nobody
        // reads any more.
        let version = current_version(&mut redis, &self.prefix).await?;
        let key = entry_key(&self.prefix, version, query);
        if let Some(products) = self.cached(&key).await? {
            return Ok(products);
        }
        let flight = self
            .flights
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_default()
            .clone();
        let answer = flight.get_or_init(|| self.load(&key, query)).await.clone();
        let mut flights = self.flights.lock().unwrap();
        if flights.get(&key).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
            flights.remove(&key);
        }
        answer
    }
    // ANCHOR_END: search

    // ANCHOR: update
    async fn update_price(&self, id: i64, price_cents: i64) -> Result<(), CacheError> {
        // First the write, committed; only then the new namespace.
        set_price(&self.pool, id, price_cents).await?;
        let mut redis = self.redis.clone();
        let _: u64 = redis.incr(version_key(&self.prefix), 1).await?;
        Ok(())
    }
    // ANCHOR_END: update
}
