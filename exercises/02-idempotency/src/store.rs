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
use std::time::Duration;

/// Entries in memory. Choose what it holds: per key, the fingerprint, the
/// state (in flight, or completed with its response) and when it expires.
pub struct MemStore {
    retention: Duration,
    lease: Duration,
}

impl IdempotencyStore for MemStore {
    fn new(retention: Duration, lease: Duration) -> Self {
        MemStore { retention, lease }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> Begin {
        let _lease = self.lease;
        todo!("02.1 exercises/02-idempotency/src/store.rs: MemStore::begin({key}, {fingerprint})")
    }

    async fn complete(&self, key: &str, response: StoredResponse) {
        let _retention = self.retention;
        todo!("02.1 exercises/02-idempotency/src/store.rs: MemStore::complete({key}, {response:?})")
    }

    /// Drops the claim; a completed response stays.
    async fn abandon(&self, key: &str) {
        todo!("02.1 exercises/02-idempotency/src/store.rs: MemStore::abandon({key})")
    }
}
