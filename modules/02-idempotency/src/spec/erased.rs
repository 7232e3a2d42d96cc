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

use crate::documents::{Delete, DocError, Document, Documents, Event, Put};
use crate::gateway::Gateway;
use crate::payments::{PayError, Payments, Receipt};
use crate::redis_store::RedisIdempotencyStore;
use crate::store::{Begin, IdempotencyStore, StoredResponse};
use redis::RedisResult;
use redis::aio::ConnectionManager;
use sqlx::PgPool;
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

/// [`Payments`] as a trait object.
pub trait DynPayments: Send + Sync {
    fn pay<'a>(
        &'a self,
        user: &'a str,
        key: &'a str,
        amount: i64,
    ) -> BoxFuture<'a, Result<Receipt, PayError>>;
    fn reap(&self, retention: Duration) -> BoxFuture<'_, sqlx::Result<u64>>;
}

impl<S: Payments> DynPayments for S {
    fn pay<'a>(
        &'a self,
        user: &'a str,
        key: &'a str,
        amount: i64,
    ) -> BoxFuture<'a, Result<Receipt, PayError>> {
        Box::pin(Payments::pay(self, user, key, amount))
    }
    fn reap(&self, retention: Duration) -> BoxFuture<'_, sqlx::Result<u64>> {
        Box::pin(Payments::reap(self, retention))
    }
}

/// A `S` on this pool and gateway, for the spec of 02.4.
pub fn payments<S: Payments>(pool: PgPool, gateway: Arc<Gateway>) -> Arc<dyn DynPayments> {
    Arc::new(S::new(pool, gateway))
}

/// [`Documents`] as a trait object.
pub trait DynDocuments: Send + Sync {
    fn put<'a>(&'a self, id: &'a str, body: &'a str) -> BoxFuture<'a, Result<Put, DocError>>;
    fn delete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Delete>;
    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Option<Document>>;
    fn events(&self) -> BoxFuture<'_, Vec<Event>>;
}

impl<S: Documents> DynDocuments for S {
    fn put<'a>(&'a self, id: &'a str, body: &'a str) -> BoxFuture<'a, Result<Put, DocError>> {
        Box::pin(Documents::put(self, id, body))
    }
    fn delete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Delete> {
        Box::pin(Documents::delete(self, id))
    }
    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Option<Document>> {
        Box::pin(Documents::get(self, id))
    }
    fn events(&self) -> BoxFuture<'_, Vec<Event>> {
        Box::pin(Documents::events(self))
    }
}

/// A new, empty `S`, for the spec of 02.5.
pub fn documents<S: Documents>() -> Arc<dyn DynDocuments> {
    Arc::new(S::new())
}
