//! The contract traits as trait objects, for the spec.
//!
//! The contract uses `async fn`-style methods (`-> impl Future`) and
//! constructors (`fn new() -> Self`), which a `dyn Trait` cannot have. The spec
//! is written against the object-safe twins below instead, so it is compiled
//! once, in this crate. A test crate then compiles only the blanket impls for
//! its own types, a boxed future per method, rather than the whole spec with
//! its tasks and tokio's machinery: after a student's edit that is the
//! difference between a test crate that compiles in a blink and one that takes
//! most of the wait (ARCHITECTURE.md, "Notes on speed").
//!
//! Each twin has the trait's methods under the same names, so the spec reads
//! as if it called the contract. The constructor functions (`counter::<C>`,
//! ...) are what [`crate::spec!`] hands to the spec as `fn` pointers.

use crate::Counter;
use crate::fencing::{FencedLock, Guard, StaleFence};
use crate::inventory::{Inventory, ReserveError};
use crate::lease::{Lease, LeaseLock, NotOwner, WaitTimeout};
use crate::ratings::{RateError, Ratings};
use crate::versioned::{Conflict, TransferError, Versioned, VersionedStore, Write};
use redis::RedisResult;
use redis::aio::ConnectionManager;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A future on the heap, the only kind a trait object can return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`Counter`] as a trait object.
pub trait DynCounter: Send + Sync {
    fn increment(&self) -> BoxFuture<'_, ()>;
    fn get(&self) -> u64;
}

impl<C: Counter> DynCounter for C {
    fn increment(&self) -> BoxFuture<'_, ()> {
        Box::pin(Counter::increment(self))
    }
    fn get(&self) -> u64 {
        Counter::get(self)
    }
}

/// A new `C`, for the spec of 01.1.
pub fn counter<C: Counter>() -> Arc<dyn DynCounter> {
    Arc::new(C::new())
}

/// [`VersionedStore`] as a trait object.
pub trait DynVersionedStore: Send + Sync {
    fn get(&self, key: &str) -> Option<Versioned>;
    fn commit(&self, writes: &[Write]) -> Result<(), Conflict>;
    fn transfer<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        amount: i64,
    ) -> BoxFuture<'a, Result<u32, TransferError>>;
}

impl<S: VersionedStore> DynVersionedStore for S {
    fn get(&self, key: &str) -> Option<Versioned> {
        VersionedStore::get(self, key)
    }
    fn commit(&self, writes: &[Write]) -> Result<(), Conflict> {
        VersionedStore::commit(self, writes)
    }
    fn transfer<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        amount: i64,
    ) -> BoxFuture<'a, Result<u32, TransferError>> {
        Box::pin(VersionedStore::transfer(self, from, to, amount))
    }
}

/// A new `S` holding `accounts`, for the spec of 01.2.
pub fn versioned_store<S: VersionedStore>(accounts: &[(&str, i64)]) -> Arc<dyn DynVersionedStore> {
    Arc::new(S::new(accounts))
}

/// [`LeaseLock`] as a trait object.
pub trait DynLeaseLock: Send + Sync {
    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease>;
    fn acquire<'a>(
        &'a self,
        resource: &'a str,
        ttl: Duration,
        wait: Duration,
    ) -> BoxFuture<'a, Result<Lease, WaitTimeout>>;
    fn release(&self, lease: &Lease) -> Result<(), NotOwner>;
}

impl<L: LeaseLock> DynLeaseLock for L {
    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease> {
        LeaseLock::try_acquire(self, resource, ttl)
    }
    fn acquire<'a>(
        &'a self,
        resource: &'a str,
        ttl: Duration,
        wait: Duration,
    ) -> BoxFuture<'a, Result<Lease, WaitTimeout>> {
        Box::pin(LeaseLock::acquire(self, resource, ttl, wait))
    }
    fn release(&self, lease: &Lease) -> Result<(), NotOwner> {
        LeaseLock::release(self, lease)
    }
}

/// A new `L`, for the spec of 01.3.
pub fn lease_lock<L: LeaseLock>() -> Arc<dyn DynLeaseLock> {
    Arc::new(L::new())
}

/// [`Inventory`] as a trait object. The spec of 01.4 and 01.5 takes a
/// closure `|pool| Arc::new(X::new(pool))`, which coerces to the `fn` it wants.
pub trait DynInventory: Send + Sync {
    fn reserve<'a>(
        &'a self,
        product: i64,
        qty: i32,
        buyer: &'a str,
    ) -> BoxFuture<'a, Result<i64, ReserveError>>;
}

impl<I: Inventory> DynInventory for I {
    fn reserve<'a>(
        &'a self,
        product: i64,
        qty: i32,
        buyer: &'a str,
    ) -> BoxFuture<'a, Result<i64, ReserveError>> {
        Box::pin(Inventory::reserve(self, product, qty, buyer))
    }
}

/// [`Ratings`] as a trait object, made like [`DynInventory`].
pub trait DynRatings: Send + Sync {
    fn rate(&self, book: i64, stars: i32) -> BoxFuture<'_, Result<u32, RateError>>;
}

impl<R: Ratings> DynRatings for R {
    fn rate(&self, book: i64, stars: i32) -> BoxFuture<'_, Result<u32, RateError>> {
        Box::pin(Ratings::rate(self, book, stars))
    }
}

/// [`FencedLock`] as a trait object.
pub trait DynFencedLock: Send + Sync {
    fn acquire<'a>(
        &'a self,
        resource: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, RedisResult<Option<Guard>>>;
    fn release<'a>(&'a self, guard: &'a Guard) -> BoxFuture<'a, RedisResult<bool>>;
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: &'a str,
        fence: u64,
    ) -> BoxFuture<'a, RedisResult<Result<(), StaleFence>>>;
    fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, RedisResult<Option<String>>>;
}

impl<F: FencedLock> DynFencedLock for F {
    fn acquire<'a>(
        &'a self,
        resource: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, RedisResult<Option<Guard>>> {
        Box::pin(FencedLock::acquire(self, resource, ttl))
    }
    fn release<'a>(&'a self, guard: &'a Guard) -> BoxFuture<'a, RedisResult<bool>> {
        Box::pin(FencedLock::release(self, guard))
    }
    fn write<'a>(
        &'a self,
        key: &'a str,
        value: &'a str,
        fence: u64,
    ) -> BoxFuture<'a, RedisResult<Result<(), StaleFence>>> {
        Box::pin(FencedLock::write(self, key, value, fence))
    }
    fn read<'a>(&'a self, key: &'a str) -> BoxFuture<'a, RedisResult<Option<String>>> {
        Box::pin(FencedLock::read(self, key))
    }
}

/// A new `F` on `conn` under `prefix`, for the spec of 01.8.
pub fn fenced_lock<F: FencedLock>(
    conn: ConnectionManager,
    prefix: String,
) -> Arc<dyn DynFencedLock> {
    Arc::new(F::new(conn, prefix))
}
