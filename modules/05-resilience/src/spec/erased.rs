//! The contract traits as trait objects, for the spec.
//!
//! [`Breaker`] is object-safe already (its methods never wait), so the spec
//! holds an `Arc<dyn Breaker>`. [`Retry`] and [`PaymentClient`] have
//! `-> impl Future` methods, which a `dyn Trait` cannot have: their
//! object-safe twins below box the future. The spec is therefore compiled
//! once, in this crate (ARCHITECTURE.md, "Notes on speed"). The constructor
//! functions are what [`crate::spec!`] hands to the spec as `fn` pointers.

use crate::breaker::{Breaker, BreakerConfig};
use crate::gateway::FakeGateway;
use crate::payments::{ChargeError, ClientConfig, PaymentClient};
use crate::retry::{Attempt, Call, Retry, RetryPolicy};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A future on the heap, the only kind a trait object can return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A new, closed `B`, for the spec of 05.1.
pub fn breaker<B: Breaker>(config: BreakerConfig) -> Arc<dyn Breaker> {
    Arc::new(B::new(config))
}

/// [`Retry`] as a trait object.
pub trait DynRetry: Send + Sync {
    fn call<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Attempt>;
}

impl<R: Retry> DynRetry for R {
    fn call<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Attempt> {
        Box::pin(Retry::call(self, call))
    }
}

/// A new `R` with this policy and seed, for the spec of 05.2.
pub fn retry<R: Retry>(policy: RetryPolicy, seed: u64) -> Arc<dyn DynRetry> {
    Arc::new(R::new(policy, seed))
}

/// [`PaymentClient`] as a trait object.
pub trait DynPaymentClient: Send + Sync {
    fn charge<'a>(
        &'a self,
        order: &'a str,
        amount: i64,
    ) -> BoxFuture<'a, Result<String, ChargeError>>;
}

impl<C: PaymentClient> DynPaymentClient for C {
    fn charge<'a>(
        &'a self,
        order: &'a str,
        amount: i64,
    ) -> BoxFuture<'a, Result<String, ChargeError>> {
        Box::pin(PaymentClient::charge(self, order, amount))
    }
}

/// A new `C` over this gateway and breaker, for the spec of 05.4.
pub fn payment_client<C: PaymentClient>(
    gateway: Arc<FakeGateway>,
    breaker: Arc<dyn Breaker>,
    config: ClientConfig,
) -> Arc<dyn DynPaymentClient> {
    Arc::new(C::new(gateway, breaker, config))
}
