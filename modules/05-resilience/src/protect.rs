//! Exercise 05.3: timeout, bulkhead and load shedding, as tower layers on an
//! axum router. When 1000 requests arrive at once at a handler that serves a
//! few dozen at a time, each must get its answer or a fast refusal: a 503 in
//! microseconds tells a client (or its load balancer) to go elsewhere, while a
//! request that waits a minute in a queue holds a connection, memory and the
//! client's patience, and times out anyway.
//!
//! The exercise file provides two layers and `protect`, which puts them on a
//! router:
//!
//! - `BulkheadLayer::new(limits)`, outermost: at most `max_in_flight`
//!   requests inside at once; up to `max_waiting` more wait for a place, each
//!   for at most `max_wait`, then get [`overloaded`]; any request beyond those
//!   gets [`overloaded`] at once, without waiting at all. tower has
//!   `ConcurrencyLimit` (which queues without bound) and `LoadShed` (which
//!   refuses at once, with an error rather than a response): neither bounds
//!   the wait.
//! - `TimeoutLayer::new(limits.timeout)`, inside it: a handler that has not
//!   answered within `timeout` is dropped, and the client gets [`timed_out`].
//!   The request's place in the bulkhead is freed with it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use racecourse_kit::problem::Problem;
use std::time::Duration;

// ANCHOR: limits
/// The protection's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests inside the handler at once.
    pub max_in_flight: usize,
    /// Requests waiting for a place at once; any more are refused at once.
    pub max_waiting: usize,
    /// The longest a request waits for a place.
    pub max_wait: Duration,
    /// The longest the handler may take.
    pub timeout: Duration,
}
// ANCHOR_END: limits

/// Seconds a refused client is told to wait before it tries again.
pub const RETRY_AFTER_SECS: u64 = 1;

/// 503 problem+json with `Retry-After: 1`: the service is full.
pub fn overloaded() -> Response {
    let mut response = Problem::typed(
        StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "Overloaded",
        "too many requests at once: try again shortly",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}

/// 504 problem+json: the handler did not answer within `timeout`.
pub fn timed_out(timeout: Duration) -> Response {
    Problem::typed(
        StatusCode::GATEWAY_TIMEOUT,
        "timed-out",
        "Timed out",
        format!("no answer within {} ms", timeout.as_millis()),
    )
    .into_response()
}
