//! 04.6: catalog caches that look fixed. They share one cache ([`Flawed`]:
//! a namespace version and single-flight, as the exercise asks), each with
//! one step done wrong.

use crate::catalog::{
    CacheError, CatalogCache, Product, TTL, current_version, entry_key, query_products, set_price,
    version_key,
};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const LOCK_WITHOUT_RECHECK: u8 = 0;
const SCAN_AND_DELETE: u8 = 1;
const BUMP_BEFORE_COMMIT: u8 = 2;

// ANCHOR: lock_without_recheck
/// Single-flight as a lock per search: the first miss takes the lock and
/// queries; the other 99 wait for the lock, and each, once it has it, queries
/// too, because none looks in the cache again. A queue, not a stampede, but
/// still 100 queries.
pub type LockWithoutRecheck = Flawed<LOCK_WITHOUT_RECHECK>;
// ANCHOR_END: lock_without_recheck

// ANCHOR: scan_and_delete
/// No versions: after the update commits, SCAN for every cached search and
/// DEL them. Besides walking the whole keyspace on every update, it loses to
/// a search that read the old rows before the commit and writes them after
/// the delete: the old price, cached for 5 minutes.
pub type ScanAndDelete = Flawed<SCAN_AND_DELETE>;
// ANCHOR_END: scan_and_delete

// ANCHOR: bump_before_commit
/// Versions, bumped first and written after: "invalidate, then write". A
/// search between the two reads the new version and the old row, and caches
/// the old price under the new version, where every later search finds it.
pub type BumpBeforeCommit = Flawed<BUMP_BEFORE_COMMIT>;
// ANCHOR_END: bump_before_commit

pub struct Flawed<const FLAW: u8> {
    pool: PgPool,
    redis: ConnectionManager,
    prefix: String,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl<const FLAW: u8> Flawed<FLAW> {
    async fn cached(&self, key: &str) -> Result<Option<Vec<Product>>, CacheError> {
        let mut redis = self.redis.clone();
        let hit: Option<String> = redis.get(key).await?;
        Ok(match hit {
            Some(json) => Some(serde_json::from_str(&json)?),
            None => None,
        })
    }

    async fn invalidate(&self) -> Result<(), CacheError> {
        let mut redis = self.redis.clone();
        if FLAW != SCAN_AND_DELETE {
            let _: u64 = redis.incr(version_key(&self.prefix), 1).await?;
            return Ok(());
        }
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}catalog:*", self.prefix))
                .query_async(&mut redis)
                .await?;
            if !keys.is_empty() {
                let _: () = redis.del(keys).await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

impl<const FLAW: u8> CatalogCache for Flawed<FLAW> {
    fn new(pool: PgPool, redis: ConnectionManager, prefix: String) -> Self {
        Flawed {
            pool,
            redis,
            prefix,
            locks: Mutex::new(HashMap::new()),
        }
    }

    async fn search(&self, query: &str) -> Result<Vec<Product>, CacheError> {
        let mut redis = self.redis.clone();
        let version = if FLAW == SCAN_AND_DELETE {
            0
        } else {
            current_version(&mut redis, &self.prefix).await?
        };
        let key = entry_key(&self.prefix, version, query);
        if let Some(products) = self.cached(&key).await? {
            return Ok(products);
        }
        let lock = self
            .locks
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_default()
            .clone();
        let _held = lock.lock().await;
        if FLAW != LOCK_WITHOUT_RECHECK
            && let Some(products) = self.cached(&key).await?
        {
            return Ok(products);
        }
        let products = query_products(&self.pool, query).await?;
        let _: () = redis
            .set_ex(&key, serde_json::to_string(&products)?, TTL.as_secs())
            .await?;
        Ok(products)
    }

    async fn update_price(&self, id: i64, price_cents: i64) -> Result<(), CacheError> {
        if FLAW == BUMP_BEFORE_COMMIT {
            self.invalidate().await?;
            return set_price(&self.pool, id, price_cents).await;
        }
        set_price(&self.pool, id, price_cents).await?;
        self.invalidate().await
    }
}
