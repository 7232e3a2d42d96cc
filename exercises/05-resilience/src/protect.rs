//! # 05.3 Timeout, bulkhead, load shedding
//!
//! **The failure.** 1000 requests arrive at once at a handler that serves 50
//! at a time. Unprotected, all 1000 run together and all are slow; with a
//! plain concurrency limit, 950 queue and the last waits 20 rounds; and a
//! handler that hangs holds its client until the client gives up. Each
//! request must get its answer or a fast refusal.
//!
//! **Your task.** Two tower layers, put on the router by `protect`:
//! `BulkheadLayer` (outermost) lets `max_in_flight` requests in at once,
//! lets up to `max_waiting` more wait for a place for at most `max_wait`,
//! and refuses everyone else at once with `racecourse_05::overloaded()`
//! (503 problem+json, `Retry-After: 1`), as it refuses a waiter whose wait
//! ran out. `TimeoutLayer` answers `racecourse_05::timed_out(timeout)` (504)
//! when the handler has not answered in time, and drops the handler's future
//! (which frees its place in the bulkhead). A `tokio::sync::Semaphore` per
//! limit, `try_acquire` for "at once" and `tokio::time::timeout` for "at
//! most", are all it takes.
//!
//! **The spec checks**, on tokio's paused clock, 1000 requests at once: to a
//! 100 ms handler, 50 served at 100 ms, 50 at 200 ms, 900 refused in 0 ms;
//! to a handler that never answers, 50 get 504 at 1 s, 50 get 503 at 500 ms,
//! 900 get 503 at once, no handler is left running, and the places are free
//! again afterwards; and 100 clients that go away mid-request free their
//! places at once.
//!
//! Run `cargo xtask test 05.3`; stuck? `cargo xtask hint 05.3`.

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use racecourse_05::Limits;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::Semaphore;
use tower::{Layer, Service};

/// The router behind a bulkhead, and each request behind a timeout inside it.
/// (axum's `layer` wraps what is there: the last one is the outermost.)
pub fn protect(router: Router, limits: Limits) -> Router {
    router
        .layer(TimeoutLayer::new(limits.timeout))
        .layer(BulkheadLayer::new(limits))
}

/// A boxed response future, as both services return.
type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// Takes the inner service that was polled ready, leaving a fresh clone in
/// its place (tower's docs, "Be careful when cloning inner services").
fn take<I: Clone>(inner: &mut I) -> I {
    let fresh = inner.clone();
    std::mem::replace(inner, fresh)
}

/// Puts [`Bulkhead`] around a service. The places live in the layer, so
/// every route axum wraps with it shares them.
#[derive(Clone)]
pub struct BulkheadLayer {
    places: Arc<Places>,
}

struct Places {
    inside: Arc<Semaphore>,
    waiting: Semaphore,
    max_wait: Duration,
}

impl BulkheadLayer {
    pub fn new(limits: Limits) -> Self {
        BulkheadLayer {
            places: Arc::new(Places {
                inside: Arc::new(Semaphore::new(limits.max_in_flight)),
                waiting: Semaphore::new(limits.max_waiting),
                max_wait: limits.max_wait,
            }),
        }
    }
}

impl<I> Layer<I> for BulkheadLayer {
    type Service = Bulkhead<I>;

    fn layer(&self, inner: I) -> Self::Service {
        Bulkhead {
            places: self.places.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct Bulkhead<I> {
    places: Arc<Places>,
    inner: I,
}

impl<I> Service<Request> for Bulkhead<I>
where
    I: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    I::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let (places, inner) = (self.places.clone(), take(&mut self.inner));
        Box::pin(async move { Ok(bulkhead(places, inner, request).await) })
    }
}

/// What the bulkhead does with one request: a place inside at once, or a
/// place to wait in (for at most `max_wait`), or `overloaded()` at once.
async fn bulkhead<I>(places: Arc<Places>, inner: I, request: Request) -> Response
where
    I: Service<Request, Response = Response, Error = Infallible>,
{
    let _ = (&places.inside, &places.waiting, places.max_wait, inner);
    todo!(
        "05.3 exercises/05-resilience/src/protect.rs: bulkhead({})",
        request.uri().path()
    )
}

/// Puts [`Timeout`] around a service.
#[derive(Clone)]
pub struct TimeoutLayer {
    limit: Duration,
}

impl TimeoutLayer {
    pub fn new(limit: Duration) -> Self {
        TimeoutLayer { limit }
    }
}

impl<I> Layer<I> for TimeoutLayer {
    type Service = Timeout<I>;

    fn layer(&self, inner: I) -> Self::Service {
        Timeout {
            limit: self.limit,
            inner,
        }
    }
}

#[derive(Clone)]
pub struct Timeout<I> {
    limit: Duration,
    inner: I,
}

impl<I> Service<Request> for Timeout<I>
where
    I: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    I::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let (limit, inner) = (self.limit, take(&mut self.inner));
        Box::pin(async move { Ok(timeout(limit, inner, request).await) })
    }
}

/// What the timeout does with one request: the handler's answer, or
/// `timed_out(limit)` when it takes longer than `limit` (and the handler's
/// future dropped).
async fn timeout<I>(limit: Duration, inner: I, request: Request) -> Response
where
    I: Service<Request, Response = Response, Error = Infallible>,
{
    let _ = inner;
    todo!(
        "05.3 exercises/05-resilience/src/protect.rs: timeout({limit:?}, {})",
        request.uri().path()
    )
}
