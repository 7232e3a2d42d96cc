//! Exercise 01.3: an in-process lock whose holder has a lease: a random owner
//! token and an expiry, so a crashed holder cannot keep the lock for ever.
//!
//! The clock is tokio's (`tokio::time::Instant`): tests pause it and move it
//! forward, so an expiry of minutes is checked in microseconds.

use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// Proof of holding a resource until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub resource: String,
    /// Random and unguessable: whoever presents it is the owner.
    pub token: String,
    pub expires_at: Instant,
}

/// `release` by someone who does not hold the lease (any more).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this lease is not the current holder's: it expired or was never granted")]
pub struct NotOwner;

/// `acquire` waited as long as it was allowed to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the resource stayed taken for the whole wait")]
pub struct WaitTimeout;

pub trait LeaseLock: Send + Sync + 'static {
    fn new() -> Self
    where
        Self: Sized;

    /// Takes the resource for `ttl` if nobody holds it or the holder's lease has expired.
    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease>;

    /// Like `try_acquire`, but waits up to `wait` for the resource to come free,
    /// by release or by expiry, without polling in a busy loop.
    fn acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> impl Future<Output = Result<Lease, WaitTimeout>> + Send;

    /// Gives the resource back. Only the current holder, before its lease expires, may.
    fn release(&self, lease: &Lease) -> Result<(), NotOwner>;
}
