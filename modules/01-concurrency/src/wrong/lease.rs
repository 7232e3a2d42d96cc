//! 01.3: lease locks with one piece missing.

use crate::lease::{Lease, LeaseLock, NotOwner, WaitTimeout};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Who holds a resource, and until when; shared by the locks below, each of
/// which gets one rule wrong.
#[derive(Default)]
struct Table {
    holders: Mutex<HashMap<String, (String, Instant)>>,
    released: Notify,
}

impl Table {
    /// Takes `resource` unless a holder's lease (by `expires`) is still running.
    fn take(&self, resource: &str, ttl: Duration, expires: bool) -> Result<Lease, Instant> {
        let now = Instant::now();
        let mut holders = self.holders.lock().unwrap();
        if let Some((_, until)) = holders
            .get(resource)
            .filter(|(_, until)| !expires || *until > now)
        {
            return Err(*until);
        }
        let lease = Lease {
            resource: resource.into(),
            token: uuid::Uuid::new_v4().to_string(),
            expires_at: now + ttl,
        };
        holders.insert(resource.into(), (lease.token.clone(), lease.expires_at));
        Ok(lease)
    }

    fn release(&self, lease: &Lease, check_token: bool) -> Result<(), NotOwner> {
        let mut holders = self.holders.lock().unwrap();
        match holders.get(&lease.resource) {
            Some((token, until))
                if (!check_token || *token == lease.token) && *until > Instant::now() =>
            {
                holders.remove(&lease.resource);
                drop(holders);
                self.released.notify_waiters();
                Ok(())
            }
            _ => Err(NotOwner),
        }
    }
}

// ANCHOR: never_expires
/// Owner tokens and a wake-up on release, but no expiry: the first attempt
/// that "works" until a holder crashes. Then the resource is held for ever,
/// and a waiter without a deadline waits for ever too: the spec's watchdog
/// stops it.
pub struct NeverExpires {
    table: Table,
}

impl LeaseLock for NeverExpires {
    fn new() -> Self {
        NeverExpires {
            table: Table::default(),
        }
    }

    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease> {
        self.table.take(resource, ttl, false).ok()
    }

    async fn acquire(
        &self,
        resource: &str,
        ttl: Duration,
        _wait: Duration,
    ) -> Result<Lease, WaitTimeout> {
        loop {
            let released = self.table.released.notified();
            if let Some(lease) = self.try_acquire(resource, ttl) {
                return Ok(lease);
            }
            released.await;
        }
    }

    fn release(&self, lease: &Lease) -> Result<(), NotOwner> {
        self.table.release(lease, true)
    }
}
// ANCHOR_END: never_expires

// ANCHOR: any_lease_releases
/// Expiry and waiting are right, but release looks only at the resource's
/// name: any caller holding an old or forged lease frees the current holder's
/// lock, and two tasks are inside at once.
pub struct AnyLeaseReleases {
    table: Table,
}

impl LeaseLock for AnyLeaseReleases {
    fn new() -> Self {
        AnyLeaseReleases {
            table: Table::default(),
        }
    }

    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease> {
        self.table.take(resource, ttl, true).ok()
    }

    async fn acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Lease, WaitTimeout> {
        wait_for_release_or_expiry(&self.table, resource, ttl, wait).await
    }

    fn release(&self, lease: &Lease) -> Result<(), NotOwner> {
        self.table.release(lease, false)
    }
}
// ANCHOR_END: any_lease_releases

/// The right way to wait, for the locks whose fault lies elsewhere.
async fn wait_for_release_or_expiry(
    table: &Table,
    resource: &str,
    ttl: Duration,
    wait: Duration,
) -> Result<Lease, WaitTimeout> {
    let deadline = Instant::now() + wait;
    loop {
        let released = table.released.notified();
        let until = match table.take(resource, ttl, true) {
            Ok(lease) => return Ok(lease),
            Err(until) => until,
        };
        if Instant::now() >= deadline {
            return Err(WaitTimeout);
        }
        tokio::select! {
            _ = released => {}
            _ = tokio::time::sleep_until(until.min(deadline)) => {}
        }
    }
}

// ANCHOR: wakes_only_on_release
/// Waits for a release or the deadline, but not for the holder's lease to run
/// out: when the holder crashed, nobody releases, and the waiter sleeps until
/// its deadline although the resource came free long before.
pub struct WakesOnlyOnRelease {
    table: Table,
}

impl LeaseLock for WakesOnlyOnRelease {
    fn new() -> Self {
        WakesOnlyOnRelease {
            table: Table::default(),
        }
    }

    fn try_acquire(&self, resource: &str, ttl: Duration) -> Option<Lease> {
        self.table.take(resource, ttl, true).ok()
    }

    async fn acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Lease, WaitTimeout> {
        let deadline = Instant::now() + wait;
        loop {
            let released = self.table.released.notified();
            if let Some(lease) = self.try_acquire(resource, ttl) {
                return Ok(lease);
            }
            if tokio::time::timeout_at(deadline, released).await.is_err() {
                return Err(WaitTimeout);
            }
        }
    }

    fn release(&self, lease: &Lease) -> Result<(), NotOwner> {
        self.table.release(lease, true)
    }
}
// ANCHOR_END: wakes_only_on_release
