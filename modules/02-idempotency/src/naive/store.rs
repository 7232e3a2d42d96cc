//! 02.1, naive: remember completed responses, and nothing about requests still
//! at work.

use crate::store::{Begin, IdempotencyStore, StoredResponse};
use crate::think;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A key's fingerprint, and its response once there is one.
struct Entry {
    fingerprint: String,
    response: Option<(StoredResponse, Instant)>,
}

// ANCHOR: naive
/// Looks for a stored response; finding none, it records the key and says New.
/// A request still at work has no response yet, so its retry (the client timed
/// out and sent it again) finds none either and runs the work a second time.
pub struct NoClaimStore {
    retention: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl IdempotencyStore for NoClaimStore {
    fn new(retention: Duration, _lease: Duration) -> Self {
        NoClaimStore {
            retention,
            entries: Mutex::new(HashMap::new()),
        }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> Begin {
        if let Some(entry) = self.entries.lock().unwrap().get(key)
            && let Some((response, until)) = &entry.response
            && Instant::now() < *until
        {
            return if entry.fingerprint == fingerprint {
                Begin::Replay(response.clone())
            } else {
                Begin::Mismatch
            };
        }
        think().await; // log the new request, then record it
        let entry = Entry {
            fingerprint: fingerprint.to_string(),
            response: None,
        };
        self.entries.lock().unwrap().insert(key.to_string(), entry);
        Begin::New
    }
    // ANCHOR_END: naive

    async fn complete(&self, key: &str, response: StoredResponse) {
        if let Some(entry) = self.entries.lock().unwrap().get_mut(key) {
            entry.response = Some((response, Instant::now() + self.retention));
        }
    }

    async fn abandon(&self, key: &str) {
        self.entries.lock().unwrap().remove(key);
    }
}
