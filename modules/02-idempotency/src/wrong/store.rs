//! 02.1: idempotency stores that look fixed. They share the right entries and
//! the right `complete` and `abandon` ([`Entries`]); each gets `begin`, or the
//! claim's expiry, wrong in its own way.

use crate::store::{Begin, IdempotencyStore, StoredResponse};
use crate::think;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

enum State {
    InFlight,
    Completed(StoredResponse),
}

struct Entry {
    fingerprint: String,
    state: State,
    expires_at: Instant,
}

/// The entries of a store, with what the wrong fixes below do right.
struct Entries {
    retention: Duration,
    lease: Duration,
    map: Mutex<HashMap<String, Entry>>,
}

impl Entries {
    fn new(retention: Duration, lease: Duration) -> Entries {
        Entries {
            retention,
            lease,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The answer for `key` if it has a live entry, compared by fingerprint.
    fn lookup(&self, key: &str, fingerprint: &str) -> Option<Begin> {
        let map = self.map.lock().unwrap();
        map.get(key)
            .filter(|e| Instant::now() < e.expires_at)
            .map(|e| answer(e, fingerprint))
    }

    /// Claims `key` until `expires_at`, over whatever was there.
    fn claim(&self, key: &str, fingerprint: &str, expires_at: Instant) {
        let entry = Entry {
            fingerprint: fingerprint.to_string(),
            state: State::InFlight,
            expires_at,
        };
        self.map.lock().unwrap().insert(key.to_string(), entry);
    }

    fn complete(&self, key: &str, response: StoredResponse) {
        if let Some(e) = self.map.lock().unwrap().get_mut(key)
            && matches!(e.state, State::InFlight)
        {
            e.state = State::Completed(response);
            e.expires_at = Instant::now() + self.retention;
        }
    }

    fn abandon(&self, key: &str) {
        let mut map = self.map.lock().unwrap();
        if map
            .get(key)
            .is_some_and(|e| matches!(e.state, State::InFlight))
        {
            map.remove(key);
        }
    }
}

fn answer(entry: &Entry, fingerprint: &str) -> Begin {
    if entry.fingerprint != fingerprint {
        return Begin::Mismatch;
    }
    match &entry.state {
        State::InFlight => Begin::InFlight,
        State::Completed(response) => Begin::Replay(response.clone()),
    }
}

/// `complete` and `abandon` as [`Entries`] does them, for each store below.
macro_rules! rest_of_the_store {
    () => {
        async fn complete(&self, key: &str, response: StoredResponse) {
            self.entries.complete(key, response)
        }

        async fn abandon(&self, key: &str) {
            self.entries.abandon(key)
        }
    };
}

// ANCHOR: check_then_insert
/// Has the in-flight state, but looks the key up, awaits, then claims it.
/// Every request that looks while the first one awaits finds nothing, and
/// each of them claims the key and gets New.
pub struct CheckThenInsert {
    entries: Entries,
}

impl IdempotencyStore for CheckThenInsert {
    fn new(retention: Duration, lease: Duration) -> Self {
        CheckThenInsert {
            entries: Entries::new(retention, lease),
        }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> Begin {
        if let Some(found) = self.entries.lookup(key, fingerprint) {
            return found;
        }
        think().await; // log the new request, then claim the key
        let until = Instant::now() + self.entries.lease;
        self.entries.claim(key, fingerprint, until);
        Begin::New
    }
    // ANCHOR_END: check_then_insert

    rest_of_the_store!();
}

// ANCHOR: two_locks
/// No await between the look-up and the claim, but each takes the lock on its
/// own: between the two, on another thread, another request looks the key up,
/// finds nothing too, and both get New.
pub struct TwoLocks {
    entries: Entries,
}

impl IdempotencyStore for TwoLocks {
    fn new(retention: Duration, lease: Duration) -> Self {
        TwoLocks {
            entries: Entries::new(retention, lease),
        }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> Begin {
        if let Some(found) = self.entries.lookup(key, fingerprint) {
            return found; // the lock is released here...
        }
        let until = Instant::now() + self.entries.lease;
        self.entries.claim(key, fingerprint, until); // ...and taken again here
        Begin::New
    }
    // ANCHOR_END: two_locks

    rest_of_the_store!();
}

// ANCHOR: fingerprint_ignored
/// Claims in one step, but answers by key alone: a client that reuses a key
/// for another request (another amount) gets the first request's answer, and
/// its own charge never happens.
pub struct FingerprintIgnored {
    entries: Entries,
}

impl IdempotencyStore for FingerprintIgnored {
    fn new(retention: Duration, lease: Duration) -> Self {
        FingerprintIgnored {
            entries: Entries::new(retention, lease),
        }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> Begin {
        let now = Instant::now();
        let mut map = self.entries.map.lock().unwrap();
        match map.get(key).filter(|e| now < e.expires_at) {
            Some(e) => match &e.state {
                State::InFlight => Begin::InFlight,
                State::Completed(response) => Begin::Replay(response.clone()),
            },
            None => {
                let entry = Entry {
                    fingerprint: fingerprint.to_string(),
                    state: State::InFlight,
                    expires_at: now + self.entries.lease,
                };
                map.insert(key.to_string(), entry);
                Begin::New
            }
        }
    }
    // ANCHOR_END: fingerprint_ignored

    rest_of_the_store!();
}

// ANCHOR: one_expiry
/// Claims in one step and compares fingerprints, but has one expiry for every
/// entry: the retention. A request that crashes holding its claim blocks every
/// retry with InFlight for a day.
pub struct OneExpiry {
    entries: Entries,
}

impl IdempotencyStore for OneExpiry {
    fn new(retention: Duration, lease: Duration) -> Self {
        OneExpiry {
            entries: Entries::new(retention, lease),
        }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> Begin {
        let now = Instant::now();
        let mut map = self.entries.map.lock().unwrap();
        if let Some(e) = map.get(key).filter(|e| now < e.expires_at) {
            return answer(e, fingerprint);
        }
        let entry = Entry {
            fingerprint: fingerprint.to_string(),
            state: State::InFlight,
            expires_at: now + self.entries.retention, // the claim lives a day
        };
        map.insert(key.to_string(), entry);
        Begin::New
    }
    // ANCHOR_END: one_expiry

    rest_of_the_store!();
}
