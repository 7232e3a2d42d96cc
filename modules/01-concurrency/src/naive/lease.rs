//! A lock with no lease: no expiry, and a release that trusts whoever calls it.

use crate::lease::{Lease, LeaseLock, NotOwner, WaitTimeout};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

pub struct ForeverLock {
    held: Mutex<HashSet<String>>,
}

impl LeaseLock for ForeverLock {
    fn new() -> Self {
        ForeverLock {
            held: Mutex::new(HashSet::new()),
        }
    }

    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease> {
        // The ttl is written on the lease but never enforced: a crashed holder
        // keeps the resource for ever.
        self.held
            .lock()
            .unwrap()
            .insert(resource.to_string())
            .then(|| Lease {
                resource: resource.into(),
                token: uuid::Uuid::new_v4().to_string(),
                expires_at: Instant::now() + ttl,
            })
    }

    async fn acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Lease, WaitTimeout> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(lease) = self.try_acquire(resource, ttl) {
                return Ok(lease);
            }
            if Instant::now() >= deadline {
                return Err(WaitTimeout);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn release(&self, lease: &Lease) -> Result<(), NotOwner> {
        // Whoever names the resource frees it, owner or not.
        self.held.lock().unwrap().remove(&lease.resource);
        Ok(())
    }
}
