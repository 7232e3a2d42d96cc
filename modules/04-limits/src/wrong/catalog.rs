//! 04.6: catalog caches that look fixed. They share the right cache's steps
//! ([`Steps`]: a namespace version bumped after the commit, and single-flight,
//! as the exercise asks); each overrides one of them: what a search does once
//! it holds its lock, how an update invalidates, or in which order.

use crate::catalog::{
    CacheError, CatalogCache, Product, TTL, current_version, entry_key, query_products, set_price,
    version_key,
};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// The database, Redis, and a lock per cached search.
struct Core {
    pool: PgPool,
    redis: ConnectionManager,
    prefix: String,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Core {
    /// The products cached under `key`, if any.
    async fn cached(&self, key: &str) -> Result<Option<Vec<Product>>, CacheError> {
        let mut redis = self.redis.clone();
        let hit: Option<String> = redis.get(key).await?;
        Ok(match hit {
            Some(json) => Some(serde_json::from_str(&json)?),
            None => None,
        })
    }

    /// Asks the database, and caches its answer under `key` for [`TTL`].
    async fn load(&self, key: &str, query: &str) -> Result<Vec<Product>, CacheError> {
        let products = query_products(&self.pool, query).await?;
        let _: () = self
            .redis
            .clone()
            .set_ex(key, serde_json::to_string(&products)?, TTL.as_secs())
            .await?;
        Ok(products)
    }

    /// The lock of the search cached under `key`.
    fn lock_for(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap();
        locks.entry(key.to_string()).or_default().clone()
    }

    /// Moves the namespace version on: every cached search is orphaned.
    async fn bump(&self) -> Result<(), CacheError> {
        let _: u64 = self
            .redis
            .clone()
            .incr(version_key(&self.prefix), 1)
            .await?;
        Ok(())
    }
}

/// The right cache's steps: each wrong fix below overrides one.
trait Steps: AsRef<Core> + Sync {
    /// What a search that missed does once it holds its key's lock: looks in
    /// the cache again (the search ahead of it may have filled it), and asks
    /// the database only if it is still empty.
    fn under_lock(
        &self,
        key: &str,
        query: &str,
    ) -> impl Future<Output = Result<Vec<Product>, CacheError>> + Send {
        async move {
            let core = self.as_ref();
            match core.cached(key).await? {
                Some(products) => Ok(products),
                None => core.load(key, query).await,
            }
        }
    }

    /// Invalidates every cached search: bumps the namespace version.
    fn invalidate(&self) -> impl Future<Output = Result<(), CacheError>> + Send {
        self.as_ref().bump()
    }

    /// Writes the price, then, once it is committed, invalidates.
    fn update(
        &self,
        id: i64,
        price_cents: i64,
    ) -> impl Future<Output = Result<(), CacheError>> + Send {
        async move {
            set_price(&self.as_ref().pool, id, price_cents).await?;
            self.invalidate().await
        }
    }
}

/// A search: the cache under the current version, else the steps' turn
/// under the search's lock.
async fn search<S: Steps>(steps: &S, query: &str) -> Result<Vec<Product>, CacheError> {
    let core = steps.as_ref();
    let version = current_version(&mut core.redis.clone(), &core.prefix).await?;
    let key = entry_key(&core.prefix, version, query);
    if let Some(products) = core.cached(&key).await? {
        return Ok(products);
    }
    let lock = core.lock_for(&key);
    let _held = lock.lock().await;
    steps.under_lock(&key, query).await
}

/// Each wrong fix is a [`Core`] with [`Steps`] of its own: this makes them
/// [`CatalogCache`]s.
macro_rules! caches_over_steps {
    ($($name:ident),*) => {$(
        pub struct $name(Core);

        impl AsRef<Core> for $name {
            fn as_ref(&self) -> &Core {
                &self.0
            }
        }

        impl CatalogCache for $name {
            fn new(pool: PgPool, redis: ConnectionManager, prefix: String) -> Self {
                $name(Core {
                    pool,
                    redis,
                    prefix,
                    locks: Mutex::new(HashMap::new()),
                })
            }

            async fn search(&self, query: &str) -> Result<Vec<Product>, CacheError> {
                search(self, query).await
            }

            async fn update_price(&self, id: i64, price_cents: i64) -> Result<(), CacheError> {
                self.update(id, price_cents).await
            }
        }
    )*};
}

caches_over_steps!(LockWithoutRecheck, ScanAndDelete, BumpBeforeCommit);

// ANCHOR: lock_without_recheck
/// Single-flight as a lock per search: the first miss takes the lock and
/// queries; the other 99 wait for the lock, and each, once it has it, queries
/// too, because none looks in the cache again. A queue, not a stampede, but
/// still 100 queries.
impl Steps for LockWithoutRecheck {
    async fn under_lock(&self, key: &str, query: &str) -> Result<Vec<Product>, CacheError> {
        self.0.load(key, query).await
    }
}
// ANCHOR_END: lock_without_recheck

// ANCHOR: scan_and_delete
/// No versions: after the update commits, SCAN for every cached search and
/// DEL them. Besides walking the whole keyspace on every update, it loses to
/// a search that read the old rows before the commit and writes them after
/// the delete: the old price, cached for 5 minutes.
impl Steps for ScanAndDelete {
    async fn invalidate(&self) -> Result<(), CacheError> {
        let mut redis = self.0.redis.clone();
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}catalog:*", self.0.prefix))
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
// ANCHOR_END: scan_and_delete

// ANCHOR: bump_before_commit
/// Versions, bumped first and written after: "invalidate, then write". A
/// search between the two reads the new version and the old row, and caches
/// the old price under the new version, where every later search finds it.
impl Steps for BumpBeforeCommit {
    async fn update(&self, id: i64, price_cents: i64) -> Result<(), CacheError> {
        self.invalidate().await?;
        set_price(&self.0.pool, id, price_cents).await
    }
}
// ANCHOR_END: bump_before_commit
