//! Exercise 04.6: a cache-aside catalog search, PostgreSQL behind Redis.
//!
//! `search` answers from Redis when it can, else asks the database
//! ([`query_products`]) and stores the answer for [`TTL`]. Three things make
//! it hard:
//!
//! - **Invalidation.** After `update_price` returns, no search may answer the
//!   old price. Which cached searches hold the product is unknown, and deleting
//!   keys by pattern (`KEYS`, `SCAN`) blocks or misses; so every entry lives
//!   under a namespace version ([`version_key`], [`entry_key`]), and an update
//!   bumps the version (`INCR`) after its write commits, which orphans every
//!   entry at once (their TTL reaps them).
//! - **The late writer.** A search that read the database before an update and
//!   writes its answer after the update's invalidation must not bring the old
//!   price back: an entry written under the version read before the query is
//!   never read again once the version moved.
//! - **The stampede.** When a popular search misses, a hundred requests at
//!   once must not make a hundred queries: one of them asks the database
//!   (single-flight), the others wait for its answer.

use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::future::Future;
use std::time::Duration;

/// A product as a search returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub price_cents: i64,
}

/// What went wrong, as text: a search shared by many waiters hands each of
/// them the same error, so it must be `Clone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheError(pub String);

impl std::fmt::Display for CacheError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CacheError {}

impl From<sqlx::Error> for CacheError {
    fn from(e: sqlx::Error) -> CacheError {
        CacheError(format!("database: {e}"))
    }
}

impl From<redis::RedisError> for CacheError {
    fn from(e: redis::RedisError) -> CacheError {
        CacheError(format!("redis: {e}"))
    }
}

impl From<serde_json::Error> for CacheError {
    fn from(e: serde_json::Error) -> CacheError {
        CacheError(format!("cached value: {e}"))
    }
}

/// How long a cached search lives.
pub const TTL: Duration = Duration::from_secs(300);

pub trait CatalogCache: Send + Sync + 'static {
    /// A cache over the catalog in `pool`, on Redis under `prefix`.
    fn new(pool: PgPool, redis: ConnectionManager, prefix: String) -> Self
    where
        Self: Sized;

    /// The products whose name contains `query`, by id: from Redis if cached
    /// under the current version, else from [`query_products`] (one query for
    /// any number of concurrent misses of one search), then cached for [`TTL`].
    fn search(&self, query: &str) -> impl Future<Output = Result<Vec<Product>, CacheError>> + Send;

    /// Sets a product's price ([`set_price`]) and then invalidates every cached
    /// search: once it returns, no search answers the old price.
    fn update_price(
        &self,
        id: i64,
        price_cents: i64,
    ) -> impl Future<Output = Result<(), CacheError>> + Send;
}

/// The Redis key of the namespace version: an integer, absent means 0. It has
/// no TTL: if it expired and started again from 0, old entries would be live
/// again.
pub fn version_key(prefix: &str) -> String {
    format!("{prefix}catalog:version")
}

/// The Redis key of a cached search under namespace `version`.
pub fn entry_key(prefix: &str, version: u64, query: &str) -> String {
    format!("{prefix}catalog:v{version}:search:{query}")
}

/// The search, on the database: one query, which the spec counts.
pub async fn query_products(pool: &PgPool, query: &str) -> sqlx::Result<Vec<Product>> {
    sqlx::query_as("SELECT id, name, price_cents FROM search_products($1)")
        .bind(query)
        .fetch_all(pool)
        .await
}

/// The update, on the database: one statement, committed when it returns.
pub async fn set_price(pool: &PgPool, id: i64, price_cents: i64) -> Result<(), CacheError> {
    let done = sqlx::query("UPDATE products SET price_cents = $2 WHERE id = $1")
        .bind(id)
        .bind(price_cents)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(CacheError(format!("no product {id}")));
    }
    Ok(())
}

/// The current namespace version (0 if none yet).
pub async fn current_version(
    redis: &mut ConnectionManager,
    prefix: &str,
) -> Result<u64, CacheError> {
    let v: Option<u64> = redis::cmd("GET")
        .arg(version_key(prefix))
        .query_async(redis)
        .await?;
    Ok(v.unwrap_or(0))
}
