//! Exercise 01.8: a lock in Redis, shared by every instance of a service, with a
//! fencing token so that a holder who paused past its lease cannot write.

use redis::RedisResult;
use redis::aio::ConnectionManager;
use std::future::Future;
use std::time::Duration;

/// Proof of holding a resource's lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    pub resource: String,
    /// The random value stored in the lock key: only its holder may release.
    pub owner: String,
    /// Grows by one at every acquisition: a later holder always has a larger fence.
    pub fence: u64,
}

/// A write refused because a holder with a larger fence has written since.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fence {presented} is stale: {highest} has been seen")]
pub struct StaleFence {
    pub presented: u64,
    pub highest: u64,
}

/// A lock and the storage it protects, both in Redis.
pub trait FencedLock: Send + Sync + 'static {
    /// Every key this lock touches starts with `prefix`.
    fn new(conn: ConnectionManager, prefix: String) -> Self
    where
        Self: Sized;

    /// Takes the lock for `ttl`, or `None` if someone holds it.
    fn acquire(
        &self,
        resource: &str,
        ttl: Duration,
    ) -> impl Future<Output = RedisResult<Option<Guard>>> + Send;

    /// Releases the lock if `guard` still holds it; `false` if not (it expired
    /// and maybe someone else holds it now).
    fn release(&self, guard: &Guard) -> impl Future<Output = RedisResult<bool>> + Send;

    /// Stores `value` under `key` unless a write with a larger fence came first.
    fn write(
        &self,
        key: &str,
        value: &str,
        fence: u64,
    ) -> impl Future<Output = RedisResult<Result<(), StaleFence>>> + Send;

    /// The value stored under `key`.
    fn read(&self, key: &str) -> impl Future<Output = RedisResult<Option<String>>> + Send;
}

/// The key holding the lock of `resource`.
pub fn lock_key(prefix: &str, resource: &str) -> String {
    format!("{prefix}lock:{resource}")
}

/// The key counting the acquisitions of `resource`'s lock.
pub fn fence_key(prefix: &str, resource: &str) -> String {
    format!("{prefix}fence:{resource}")
}

/// The hash holding a stored value (field `value`) and the highest fence that
/// wrote it (field `fence`).
pub fn data_key(prefix: &str, key: &str) -> String {
    format!("{prefix}data:{key}")
}
