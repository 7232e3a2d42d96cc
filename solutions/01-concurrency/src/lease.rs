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
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Who holds a resource, and until when.
struct Holder {
    token: String,
    expires_at: Instant,
}

/// Leases in memory.
pub struct MemLeaseLock {
    holders: Mutex<HashMap<String, Holder>>,
    /// Fired on every release, so waiters look again at once.
    released: Notify,
}

impl MemLeaseLock {
    /// Takes `resource` if it is free; otherwise says when its lease expires.
    fn take(&self, resource: &str, ttl: Duration) -> Result<Lease, Instant> {
        let now = Instant::now();
        let mut holders = self.holders.lock().unwrap();
        if let Some(h) = holders.get(resource).filter(|h| h.expires_at > now) {
            return Err(h.expires_at);
        }
        let lease = Lease {
            resource: resource.into(),
            token: uuid::Uuid::new_v4().to_string(),
            expires_at: now + ttl,
        };
        holders.insert(
            resource.into(),
            Holder {
                token: lease.token.clone(),
                expires_at: lease.expires_at,
            },
        );
        Ok(lease)
    }
}

impl LeaseLock for MemLeaseLock {
    fn new() -> Self {
        MemLeaseLock {
            holders: Mutex::new(HashMap::new()),
            released: Notify::new(),
        }
    }

    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease> {
        self.take(resource, ttl).ok()
    }

    // ANCHOR: acquire
    async fn acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Lease, WaitTimeout> {
        let deadline = Instant::now() + wait;
        loop {
            // Register for the wake-up before looking, so a release that lands
            // between the look and the wait is not missed.
            let released = self.released.notified();
            let expires_at = match self.take(resource, ttl) {
                Ok(lease) => return Ok(lease),
                Err(expires_at) => expires_at,
            };
            if Instant::now() >= deadline {
                return Err(WaitTimeout);
            }
            tokio::select! {
                _ = released => {}
                _ = tokio::time::sleep_until(expires_at.min(deadline)) => {}
            }
        }
    }
    // ANCHOR_END: acquire

    // ANCHOR: release
    fn release(&self, lease: &Lease) -> Result<(), NotOwner> {
        let mut holders = self.holders.lock().unwrap();
        match holders.get(&lease.resource) {
            Some(h) if h.token == lease.token && h.expires_at > Instant::now() => {
                holders.remove(&lease.resource);
                drop(holders);
                self.released.notify_waiters();
                Ok(())
            }
            _ => Err(NotOwner),
        }
    }
    // ANCHOR_END: release
}
