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

use racecourse_04::{CacheError, CatalogCache, Product};
use redis::aio::ConnectionManager;
use sqlx::PgPool;

/// Choose what else it holds: the searches in flight, so that concurrent
/// misses of one search share one query.
pub struct Catalog {
    pool: PgPool,
    redis: ConnectionManager,
    prefix: String,
}

impl CatalogCache for Catalog {
    fn new(pool: PgPool, redis: ConnectionManager, prefix: String) -> Self {
        Catalog {
            pool,
            redis,
            prefix,
        }
    }

    async fn search(&self, query: &str) -> Result<Vec<Product>, CacheError> {
        let _ = (&self.pool, &self.redis, &self.prefix);
        todo!("04.6 exercises/04-limits/src/catalog.rs: Catalog::search({query})")
    }

    async fn update_price(&self, id: i64, price_cents: i64) -> Result<(), CacheError> {
        todo!("04.6 exercises/04-limits/src/catalog.rs: Catalog::update_price({id}, {price_cents})")
    }
}
