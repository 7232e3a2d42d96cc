//! 04.6, naive: cache-aside with a TTL, and nothing else.

use crate::catalog::{
    CacheError, CatalogCache, Product, TTL, entry_key, query_products, set_price,
};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use sqlx::PgPool;

// ANCHOR: naive
/// Looks in Redis, else queries and caches for 5 minutes; an update writes
/// the database and leaves the cache alone. Every search cached before an
/// update answers the old price until its TTL runs out, and when a popular
/// search expires every request at that moment queries the database.
pub struct TtlOnly {
    pool: PgPool,
    redis: ConnectionManager,
    prefix: String,
}

impl CatalogCache for TtlOnly {
    fn new(pool: PgPool, redis: ConnectionManager, prefix: String) -> Self {
        TtlOnly {
            pool,
            redis,
            prefix,
        }
    }

    async fn search(&self, query: &str) -> Result<Vec<Product>, CacheError> {
        let mut redis = self.redis.clone();
        let key = entry_key(&self.prefix, 0, query);
        let hit: Option<String> = redis.get(&key).await?;
        if let Some(json) = hit {
            return Ok(serde_json::from_str(&json)?);
        }
        let products = query_products(&self.pool, query).await?;
        let _: () = redis
            .set_ex(&key, serde_json::to_string(&products)?, TTL.as_secs())
            .await?;
        Ok(products)
    }

    async fn update_price(&self, id: i64, price_cents: i64) -> Result<(), CacheError> {
        set_price(&self.pool, id, price_cents).await
    }
}
// ANCHOR_END: naive
