//! # 02.1 Idempotency store (in memory)
//!
//! **The race.** A client that times out sends its request again with the same
//! `Idempotency-Key`. If the store only remembers finished requests, the retry
//! of a request still at work finds nothing and runs the work again: a double
//! charge. And if looking the key up and claiming it are two steps, two
//! retries that arrive together both find nothing and both run.
//!
//! **Your task.** Keep, per key, the request's fingerprint and its state: in
//! flight (until its lease runs out) or completed (its response, until the
//! retention runs out). `begin` looks the key up and claims it in one step,
//! under one lock, with no `.await` in between; `complete` stores the
//! response; `abandon` drops a claim so the retry runs.
//!
//! **The spec checks**, on tokio's paused clock, each answer of `begin` (New,
//! InFlight, Replay with the stored response, Mismatch), that completed
//! entries expire after the retention and claims after the lease; and on four
//! threads, that of 32 requests racing with one key exactly one gets New, 200
//! times over, and of two threads racing in lockstep, thousands of rounds.
//!
//! Run `cargo xtask test 02.1`; stuck? `cargo xtask hint 02.1`.

use racecourse_02::{Begin, IdempotencyStore, StoredResponse};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: entry
/// Where a key is in its life: claimed by a request at work, or done.
enum State {
    InFlight,
    Completed(StoredResponse),
}

struct Entry {
    fingerprint: String,
    state: State,
    /// The end of the lease while in flight, of the retention once completed.
    expires_at: Instant,
}
// ANCHOR_END: entry

/// Entries in memory, behind one lock that nothing awaits under.
pub struct MemStore {
    retention: Duration,
    lease: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl IdempotencyStore for MemStore {
    fn new(retention: Duration, lease: Duration) -> Self {
        MemStore {
            retention,
            lease,
            entries: Mutex::new(HashMap::new()),
        }
    }

    // ANCHOR: begin
    async fn begin(&self, key: &str, fingerprint: &str) -> Begin {
        let now = Instant::now();
        // One lock for the look-up and the claim: nobody can claim in between.
        let mut entries = self.entries.lock().unwrap();
        if let Some(entry) = entries.get(key).filter(|e| now < e.expires_at) {
            // The fingerprint first: a reused key is an error in any state.
            if entry.fingerprint != fingerprint {
                return Begin::Mismatch;
            }
            return match &entry.state {
                State::InFlight => Begin::InFlight,
                State::Completed(response) => Begin::Replay(response.clone()),
            };
        }
        // Absent or expired: claim it, for the lease only.
        let claim = Entry {
            fingerprint: fingerprint.to_string(),
            state: State::InFlight,
            expires_at: now + self.lease,
        };
        entries.insert(key.to_string(), claim);
        Begin::New
    }
    // ANCHOR_END: begin

    // ANCHOR: complete
    async fn complete(&self, key: &str, response: StoredResponse) {
        let mut entries = self.entries.lock().unwrap();
        if let Some(entry) = entries.get_mut(key) {
            if matches!(entry.state, State::InFlight) {
                entry.state = State::Completed(response);
                // The retention counts from the completion.
                entry.expires_at = Instant::now() + self.retention;
            }
        }
    }

    async fn abandon(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap();
        let in_flight = entries
            .get(key)
            .is_some_and(|e| matches!(e.state, State::InFlight));
        if in_flight {
            entries.remove(key);
        }
    }
    // ANCHOR_END: complete
}
