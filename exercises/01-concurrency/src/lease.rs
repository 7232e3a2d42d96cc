//! # 01.3 Lease lock: owner token, expiry, wait with timeout
//!
//! **The race.** A plain lock held by a task that crashed (or hangs) is held
//! for ever, and a release that does not check who calls it lets anyone free
//! anyone's lock, including a holder whose time ran out freeing its successor's.
//!
//! **Your task.** Grant each holder a lease: a random token and an expiry. A
//! resource is free once its lease expires; only the current holder's token
//! releases it; `acquire` waits for a release or an expiry, up to a deadline,
//! without polling.
//!
//! **The spec checks**, on tokio's paused clock, that an expired lease can be
//! taken, that a forged or expired lease cannot release, that waiting times out
//! on time and wakes on release and on expiry, and that 50 holders never overlap.
//!
//! Run `cargo xtask test 01.3`; stuck? `cargo xtask hint 01.3`.

use racecourse_01::{Lease, LeaseLock, NotOwner, WaitTimeout};
use std::time::Duration;

/// Leases in memory. Choose what it holds: who holds each resource, until when,
/// and a way to wake waiters.
pub struct MemLeaseLock {}

impl LeaseLock for MemLeaseLock {
    fn new() -> Self {
        MemLeaseLock {}
    }

    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease> {
        todo!(
            "01.3 exercises/01-concurrency/src/lease.rs: MemLeaseLock::try_acquire({resource}, {ttl:?})"
        )
    }

    async fn acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Lease, WaitTimeout> {
        todo!(
            "01.3 exercises/01-concurrency/src/lease.rs: MemLeaseLock::acquire({resource}, {ttl:?}, {wait:?})"
        )
    }

    /// Only the current, unexpired holder releases.
    fn release(&self, lease: &Lease) -> Result<(), NotOwner> {
        todo!(
            "01.3 exercises/01-concurrency/src/lease.rs: MemLeaseLock::release({})",
            lease.resource
        )
    }
}
