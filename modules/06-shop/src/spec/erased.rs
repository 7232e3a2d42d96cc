//! The contract traits as trait objects, for the spec.
//!
//! The contract uses `async fn`-style methods (`-> impl Future`) and
//! constructors (`fn new() -> Self`), which a `dyn Trait` cannot have. The spec
//! is written against the object-safe twins below instead, so it is compiled
//! once, in this crate, and a test crate compiles only the blanket impls for its
//! own types (ARCHITECTURE.md, "Notes on speed").

use crate::checkout::{Checkout, CheckoutError, Order, Payments};
use crate::intake::{Accepted, Intake, IntakeError, Processor};
use crate::outbox::{Outbox, OutboxError};
use crate::queue::{Job, Queue, QueueConfig};
use crate::saga::{SagaEnd, SagaOrder, Sagas};
use crate::wallet::{Wallet, WalletError};
use lapin::Channel;
use sqlx::PgPool;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A future on the heap, the only kind a trait object can return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`Checkout`] as a trait object.
pub trait DynCheckout: Send + Sync {
    fn checkout<'a>(
        &'a self,
        product: i64,
        buyer: &'a str,
        qty: i32,
    ) -> BoxFuture<'a, Result<Order, CheckoutError>>;
}

impl<S: Checkout> DynCheckout for S {
    fn checkout<'a>(
        &'a self,
        product: i64,
        buyer: &'a str,
        qty: i32,
    ) -> BoxFuture<'a, Result<Order, CheckoutError>> {
        Box::pin(Checkout::checkout(self, product, buyer, qty))
    }
}

/// A `S` on this pool and payment client, for the spec of 06.1.
pub fn checkout<S: Checkout>(pool: PgPool, payments: Payments) -> Arc<dyn DynCheckout> {
    Arc::new(S::new(pool, payments))
}

/// [`Wallet`] as a trait object.
pub trait DynWallet: Send + Sync {
    fn debit(&self, account: i64, amount: i64) -> BoxFuture<'_, Result<i64, WalletError>>;
    fn transfer(&self, from: i64, to: i64, amount: i64) -> BoxFuture<'_, Result<(), WalletError>>;
}

impl<S: Wallet> DynWallet for S {
    fn debit(&self, account: i64, amount: i64) -> BoxFuture<'_, Result<i64, WalletError>> {
        Box::pin(Wallet::debit(self, account, amount))
    }
    fn transfer(&self, from: i64, to: i64, amount: i64) -> BoxFuture<'_, Result<(), WalletError>> {
        Box::pin(Wallet::transfer(self, from, to, amount))
    }
}

/// A `S` on this pool, for the spec of 06.2.
pub fn wallet<S: Wallet>(pool: PgPool) -> Arc<dyn DynWallet> {
    Arc::new(S::new(pool))
}

/// [`Queue`] as a trait object.
pub trait DynQueue: Send + Sync {
    fn claim(&self, batch: i64) -> BoxFuture<'_, sqlx::Result<Vec<Job>>>;
    fn complete<'a>(&'a self, jobs: &'a [Job]) -> BoxFuture<'a, sqlx::Result<()>>;
    fn fail<'a>(&'a self, job: &'a Job, error: &'a str) -> BoxFuture<'a, sqlx::Result<()>>;
}

impl<S: Queue> DynQueue for S {
    fn claim(&self, batch: i64) -> BoxFuture<'_, sqlx::Result<Vec<Job>>> {
        Box::pin(Queue::claim(self, batch))
    }
    fn complete<'a>(&'a self, jobs: &'a [Job]) -> BoxFuture<'a, sqlx::Result<()>> {
        Box::pin(Queue::complete(self, jobs))
    }
    fn fail<'a>(&'a self, job: &'a Job, error: &'a str) -> BoxFuture<'a, sqlx::Result<()>> {
        Box::pin(Queue::fail(self, job, error))
    }
}

/// A `S` on this pool with this configuration, for the spec of 06.3.
pub fn queue<S: Queue>(pool: PgPool, config: QueueConfig) -> Arc<dyn DynQueue> {
    Arc::new(S::new(pool, config))
}

/// [`Sagas`] as a trait object.
pub trait DynSagas: Send + Sync {
    fn start(&self, order: SagaOrder) -> BoxFuture<'_, sqlx::Result<i64>>;
    fn drive(&self, id: i64) -> BoxFuture<'_, sqlx::Result<SagaEnd>>;
}

impl<S: Sagas> DynSagas for S {
    fn start(&self, order: SagaOrder) -> BoxFuture<'_, sqlx::Result<i64>> {
        Box::pin(Sagas::start(self, order))
    }
    fn drive(&self, id: i64) -> BoxFuture<'_, sqlx::Result<SagaEnd>> {
        Box::pin(Sagas::drive(self, id))
    }
}

/// A `S` on this pool, for the spec of 06.4.
pub fn sagas<S: Sagas>(pool: PgPool) -> Arc<dyn DynSagas> {
    Arc::new(S::new(pool))
}

/// [`Intake`] as a trait object.
pub trait DynIntake: Send + Sync {
    fn accept<'a>(
        &'a self,
        item: &'a str,
        qty: i32,
    ) -> BoxFuture<'a, Result<Accepted, IntakeError>>;
    fn status(&self, id: i64) -> BoxFuture<'_, Result<Option<String>, IntakeError>>;
    fn work(
        &self,
        channel: Channel,
        processor: Arc<Processor>,
    ) -> BoxFuture<'_, Result<(), IntakeError>>;
}

impl<S: Intake> DynIntake for S {
    fn accept<'a>(
        &'a self,
        item: &'a str,
        qty: i32,
    ) -> BoxFuture<'a, Result<Accepted, IntakeError>> {
        Box::pin(Intake::accept(self, item, qty))
    }
    fn status(&self, id: i64) -> BoxFuture<'_, Result<Option<String>, IntakeError>> {
        Box::pin(Intake::status(self, id))
    }
    fn work(
        &self,
        channel: Channel,
        processor: Arc<Processor>,
    ) -> BoxFuture<'_, Result<(), IntakeError>> {
        Box::pin(Intake::work(self, channel, processor))
    }
}

/// A `S` on this pool, channel and queue, for the spec of 06.5.
pub fn intake<S: Intake>(pool: PgPool, channel: Channel, queue: String) -> Arc<dyn DynIntake> {
    Arc::new(S::new(pool, channel, queue))
}

/// [`Outbox`] as a trait object.
pub trait DynOutbox: Send + Sync {
    fn place_order<'a>(
        &'a self,
        item: &'a str,
        qty: i32,
    ) -> BoxFuture<'a, Result<i64, OutboxError>>;
    fn relay_once<'a>(
        &'a self,
        channel: &'a Channel,
        batch: i64,
    ) -> BoxFuture<'a, Result<usize, OutboxError>>;
    fn consume(&self, channel: Channel) -> BoxFuture<'_, Result<(), OutboxError>>;
}

impl<S: Outbox> DynOutbox for S {
    fn place_order<'a>(
        &'a self,
        item: &'a str,
        qty: i32,
    ) -> BoxFuture<'a, Result<i64, OutboxError>> {
        Box::pin(Outbox::place_order(self, item, qty))
    }
    fn relay_once<'a>(
        &'a self,
        channel: &'a Channel,
        batch: i64,
    ) -> BoxFuture<'a, Result<usize, OutboxError>> {
        Box::pin(Outbox::relay_once(self, channel, batch))
    }
    fn consume(&self, channel: Channel) -> BoxFuture<'_, Result<(), OutboxError>> {
        Box::pin(Outbox::consume(self, channel))
    }
}

/// A `S` on this pool and queue, for the spec of 06.6.
pub fn outbox<S: Outbox>(pool: PgPool, queue: String) -> Arc<dyn DynOutbox> {
    Arc::new(S::new(pool, queue))
}
