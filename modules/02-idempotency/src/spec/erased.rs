//! The contract traits as trait objects, for the spec.
//!
//! The contract uses `async fn`-style methods (`-> impl Future`) and
//! constructors (`fn new() -> Self`), which a `dyn Trait` cannot have. The spec
//! is written against the object-safe twins below instead, so it is compiled
//! once, in this crate, and a test crate compiles only the blanket impls for its
//! own types (ARCHITECTURE.md, "Notes on speed").
//!
//! Each twin has the trait's methods under the same names, so the spec reads
//! as if it called the contract. The constructor functions are what
//! [`crate::spec!`] hands to the spec as `fn` pointers.

use crate::redis_store::RedisIdempotencyStore;
use crate::store::{Begin, IdempotencyStore, StoredResponse};
use redis::RedisResult;
use redis::aio::ConnectionManager;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A future on the heap, the only kind a trait object can return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`IdempotencyStore`] as a trait object.
pub trait DynIdempotencyStore: Send + Sync {
    fn begin<'a>(&'a self, key: &'a str, fingerprint: &'a str) -> BoxFuture<'a, Begin>;
    fn complete<'a>(&'a self, key: &'a str, response: StoredResponse) -> BoxFuture<'a, ()>;
    fn abandon<'a>(&'a self, key: &'a str) -> BoxFuture<'a, ()>;
}

impl<S: IdempotencyStore> DynIdempotencyStore for S {
    fn begin<'a>(&'a self, key: &'a str, fingerprint: &'a str) -> BoxFuture<'a, Begin> {
        Box::pin(IdempotencyStore::begin(self, key, fingerprint))
    }
    fn complete<'a>(&'a self, key: &'a str, response: StoredResponse) -> BoxFuture<'a, ()> {
        Box::pin(IdempotencyStore::complete(self, key, response))
    }
    fn abandon<'a>(&'a self, key: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(IdempotencyStore::abandon(self, key))
    }
}

/// A new, empty `S` with this retention and lease, for the spec of 02.1.
pub fn idempotency_store<S: IdempotencyStore>(
    retention: Duration,
    lease: Duration,
) -> Arc<dyn DynIdempotencyStore> {
    Arc::new(S::new(retention, lease))
}

/// [`RedisIdempotencyStore`] as a trait object.
pub trait DynRedisIdempotencyStore: Send + Sync {
    fn begin<'a>(&'a self, key: &'a str, fingerprint: &'a str)
    -> BoxFuture<'a, RedisResult<Begin>>;
    fn complete<'a>(
        &'a self,
        key: &'a str,
        response: StoredResponse,
    ) -> BoxFuture<'a, RedisResult<()>>;
    fn abandon<'a>(&'a self, key: &'a str) -> BoxFuture<'a, RedisResult<()>>;
}

impl<S: RedisIdempotencyStore> DynRedisIdempotencyStore for S {
    fn begin<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a str,
    ) -> BoxFuture<'a, RedisResult<Begin>> {
        Box::pin(RedisIdempotencyStore::begin(self, key, fingerprint))
    }
    fn complete<'a>(
        &'a self,
        key: &'a str,
        response: StoredResponse,
    ) -> BoxFuture<'a, RedisResult<()>> {
        Box::pin(RedisIdempotencyStore::complete(self, key, response))
    }
    fn abandon<'a>(&'a self, key: &'a str) -> BoxFuture<'a, RedisResult<()>> {
        Box::pin(RedisIdempotencyStore::abandon(self, key))
    }
}

/// A `S` on this connection, under this key prefix, with this retention and
/// lease, for the spec of 02.3.
pub fn redis_idempotency_store<S: RedisIdempotencyStore>(
    conn: ConnectionManager,
    prefix: String,
    retention: Duration,
    lease: Duration,
) -> Arc<dyn DynRedisIdempotencyStore> {
    Arc::new(S::new(conn, prefix, retention, lease))
}
