//! Exercise 02.1: an idempotency store. A client that retries a request sends
//! the same `Idempotency-Key`; the store makes sure the work behind the key runs
//! once and every retry gets the first answer back.
//!
//! A key moves through three states: new (the store has never seen it, or its
//! entry expired), in flight (a request holds the claim and is working), and
//! completed (the response is stored, to be replayed). The clock is tokio's
//! (`tokio::time::Instant`): the spec pauses it and moves it forward, so a
//! retention of a day is checked in microseconds.

use std::future::Future;
use std::time::Duration;

/// What a completed request answered, kept to be replayed to its retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// The response's headers, in order, to replay with it (02.2 stores them;
    /// a store keeps them as it keeps the body, without looking).
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What `begin` found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Nobody holds the key: the caller now holds its claim, does the work,
    /// then calls `complete` (or `abandon` if the work failed).
    New,
    /// Another request holds the claim and is still working.
    InFlight,
    /// The key's request completed with this fingerprint: here is its answer.
    Replay(StoredResponse),
    /// The key is in use (in flight or completed) by a request with another
    /// fingerprint: the client reused a key for a different request.
    Mismatch,
}

pub trait IdempotencyStore: Send + Sync + 'static {
    /// An empty store. Completed entries are kept for `retention` after they
    /// complete; a claim lapses `lease` after it was taken (`lease` is shorter).
    fn new(retention: Duration, lease: Duration) -> Self
    where
        Self: Sized;

    /// Looks up `key` and, if nobody holds it, claims it for the caller, in
    /// one step: of many requests racing with one key exactly one gets `New`.
    /// `fingerprint` identifies the request (a hash of its method, path and
    /// body); a live entry with another fingerprint answers `Mismatch`.
    fn begin(&self, key: &str, fingerprint: &str) -> impl Future<Output = Begin> + Send;

    /// Stores the response of the claimed request under `key`, for `retention`
    /// from now.
    fn complete(&self, key: &str, response: StoredResponse) -> impl Future<Output = ()> + Send;

    /// Drops the claim on `key` without storing anything, so that a retry runs
    /// the work again: a failed request is not stored. A completed entry stays.
    fn abandon(&self, key: &str) -> impl Future<Output = ()> + Send;
}
