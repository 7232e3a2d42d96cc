//! The contract traits as trait objects, for the spec (ARCHITECTURE.md, "One
//! spec, many implementations"): each twin has the trait's methods under the
//! same names, and the constructor functions below are what [`crate::spec!`]
//! hands to the spec as `fn` pointers.

use crate::checkout::{Checkout, CheckoutError, Order};
use crate::clock::Clock;
use crate::live::{Event, Notifier};
use crate::queue::{Entry, Joined, TicketQueue};
use crate::sweeper::{Freed, Sweeper};
use crate::tickets::BookingError;
use crate::worker::{Outcome, Reserver};
use redis::RedisResult;
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// A future on the heap, the only kind a trait object can return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`TicketQueue`] as a trait object.
pub trait DynTicketQueue: Send + Sync {
    fn join<'a>(&'a self, ticket: i64, user: &'a str) -> BoxFuture<'a, RedisResult<Joined>>;
    fn position<'a>(&'a self, queue_id: &'a str) -> BoxFuture<'a, RedisResult<Option<u64>>>;
    fn next(&self) -> BoxFuture<'_, RedisResult<Option<Entry>>>;
}

impl<Q: TicketQueue> DynTicketQueue for Q {
    fn join<'a>(&'a self, ticket: i64, user: &'a str) -> BoxFuture<'a, RedisResult<Joined>> {
        Box::pin(TicketQueue::join(self, ticket, user))
    }
    fn position<'a>(&'a self, queue_id: &'a str) -> BoxFuture<'a, RedisResult<Option<u64>>> {
        Box::pin(TicketQueue::position(self, queue_id))
    }
    fn next(&self) -> BoxFuture<'_, RedisResult<Option<Entry>>> {
        Box::pin(TicketQueue::next(self))
    }
}

/// A `Q` on this connection and key prefix, for the spec of 07.1.
pub fn ticket_queue<Q: TicketQueue>(
    conn: ConnectionManager,
    prefix: &str,
) -> Arc<dyn DynTicketQueue> {
    Arc::new(Q::new(conn, prefix))
}

/// [`Reserver`] as a trait object.
pub trait DynReserver: Send + Sync {
    fn reserve<'a>(&'a self, entry: &'a Entry) -> BoxFuture<'a, Result<Outcome, BookingError>>;
}

impl<R: Reserver> DynReserver for R {
    fn reserve<'a>(&'a self, entry: &'a Entry) -> BoxFuture<'a, Result<Outcome, BookingError>> {
        Box::pin(Reserver::reserve(self, entry))
    }
}

/// An `R`, for the spec of 07.2.
pub fn reserver<R: Reserver>(
    pool: PgPool,
    conn: ConnectionManager,
    prefix: &str,
    clock: Clock,
    ttl: Duration,
) -> Arc<dyn DynReserver> {
    Arc::new(R::new(pool, conn, prefix, clock, ttl))
}

/// [`Sweeper`] as a trait object.
pub trait DynSweeper: Send + Sync {
    fn sweep(&self) -> BoxFuture<'_, Result<Vec<Freed>, BookingError>>;
}

impl<S: Sweeper> DynSweeper for S {
    fn sweep(&self) -> BoxFuture<'_, Result<Vec<Freed>, BookingError>> {
        Box::pin(Sweeper::sweep(self))
    }
}

/// An `S`, for the spec of 07.3.
pub fn sweeper<S: Sweeper>(
    pool: PgPool,
    conn: ConnectionManager,
    prefix: &str,
    clock: Clock,
) -> Arc<dyn DynSweeper> {
    Arc::new(S::new(pool, conn, prefix, clock))
}

/// [`Checkout`] as a trait object.
pub trait DynCheckout: Send + Sync {
    fn checkout<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<Order, CheckoutError>>;
}

impl<C: Checkout> DynCheckout for C {
    fn checkout<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<Order, CheckoutError>> {
        Box::pin(Checkout::checkout(self, user))
    }
}

/// A `C`, for the spec of 07.4.
pub fn checkout<C: Checkout>(pool: PgPool, clock: Clock) -> Arc<dyn DynCheckout> {
    Arc::new(C::new(pool, clock))
}

/// [`Notifier`] as a trait object.
pub trait DynNotifier: Send + Sync {
    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event>;
    fn publish(&self, event: Event) -> BoxFuture<'_, ()>;
    fn subscribers(&self) -> usize;
}

impl<N: Notifier> DynNotifier for N {
    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event> {
        Notifier::subscribe(self, user)
    }
    fn publish(&self, event: Event) -> BoxFuture<'_, ()> {
        Box::pin(Notifier::publish(self, event))
    }
    fn subscribers(&self) -> usize {
        Notifier::subscribers(self)
    }
}

/// An `N`, for the spec of 07.5.
pub fn notifier<N: Notifier>(capacity: usize) -> Arc<dyn DynNotifier> {
    Arc::new(N::new(capacity))
}
