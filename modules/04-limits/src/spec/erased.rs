//! The contract traits as trait objects, for the spec.
//!
//! The contract has `-> impl Future` methods and constructors (`fn new() ->
//! Self`), which a `dyn Trait` cannot have. The spec is written against the
//! object-safe twins below, so it is compiled once, in this crate, and a test
//! crate compiles only the blanket impls for its own types (ARCHITECTURE.md,
//! "Notes on speed"). The constructor functions are what [`crate::spec!`]
//! hands to the spec as `fn` pointers.

use crate::catalog::{CacheError, CatalogCache, Product};
use crate::lru::{CacheKey, LruCache};
use crate::redis_limiter::{OnOutage, RedisRateLimiter};
use crate::token_bucket::{Decision, Quota, RateLimiter};
use crate::window::WindowLimiter;
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A future on the heap, the only kind a trait object can return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`RateLimiter`] as a trait object (its methods are already object-safe).
pub fn rate_limiter<L: RateLimiter>(quota: Quota) -> Arc<dyn RateLimiter> {
    Arc::new(L::new(quota))
}

/// [`WindowLimiter`] as a trait object.
pub fn window_limiter<L: WindowLimiter>(limit: u32, window: Duration) -> Arc<dyn WindowLimiter> {
    Arc::new(L::new(limit, window))
}

/// [`RedisRateLimiter`] as a trait object.
pub trait DynRedisRateLimiter: Send + Sync {
    fn check<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Decision>;
}

impl<L: RedisRateLimiter> DynRedisRateLimiter for L {
    fn check<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Decision> {
        Box::pin(RedisRateLimiter::check(self, key))
    }
}

/// A `L` on this connection, under this prefix, for the spec of 04.3.
pub fn redis_rate_limiter<L: RedisRateLimiter>(
    conn: ConnectionManager,
    prefix: String,
    quota: Quota,
    on_outage: OnOutage,
) -> Arc<dyn DynRedisRateLimiter> {
    Arc::new(L::new(conn, prefix, quota, on_outage))
}

/// [`LruCache`] over keys `K` as a trait object.
pub fn lru_cache<C: LruCache<K>, K: CacheKey>(
    capacity: usize,
    ttl: Duration,
) -> Box<dyn LruCache<K>> {
    Box::new(C::new(capacity, ttl))
}

/// [`CatalogCache`] as a trait object.
pub trait DynCatalogCache: Send + Sync {
    fn search<'a>(&'a self, query: &'a str) -> BoxFuture<'a, Result<Vec<Product>, CacheError>>;
    fn update_price(&self, id: i64, price_cents: i64) -> BoxFuture<'_, Result<(), CacheError>>;
}

impl<C: CatalogCache> DynCatalogCache for C {
    fn search<'a>(&'a self, query: &'a str) -> BoxFuture<'a, Result<Vec<Product>, CacheError>> {
        Box::pin(CatalogCache::search(self, query))
    }
    fn update_price(&self, id: i64, price_cents: i64) -> BoxFuture<'_, Result<(), CacheError>> {
        Box::pin(CatalogCache::update_price(self, id, price_cents))
    }
}

/// A `C` over this pool and Redis connection, for the spec of 04.6.
pub fn catalog_cache<C: CatalogCache>(
    pool: PgPool,
    redis: ConnectionManager,
    prefix: String,
) -> Arc<dyn DynCatalogCache> {
    Arc::new(C::new(pool, redis, prefix))
}
