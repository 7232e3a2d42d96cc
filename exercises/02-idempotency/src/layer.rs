//! # 02.2 The `Idempotency-Key` layer (in memory)
//!
//! **The race.** A client that timed out sends its POST again with the same
//! `Idempotency-Key`, often while the first is still at work, sometimes fifty
//! times at once. Without a layer every retry runs the handler again; with one
//! that checks and claims in two steps, or forgets whose key it is, retries
//! still charge twice or get another user's answer.
//!
//! **Your task.** Write `idempotent` below: for a POST, take the caller
//! (`x-user`) and the key, read the body, `begin` the scoped key in the store
//! with the request's fingerprint, and answer as the table in
//! `racecourse_02::layer` says: run the handler on `New` and store its answer
//! (unless it is a 4xx), replay on `Replay`, 409 on `InFlight`, 422 on
//! `Mismatch`. Any other method goes straight to `inner`. The `Layer` and
//! `Service` around it are written: read them, they are how every tower
//! middleware looks.
//!
//! **The spec checks** each status (400, 409 with `Retry-After`, 422) with its
//! problem+json body; that a replay has the first answer's status, headers and
//! body plus `Idempotent-Replayed: true`; that a refused request is not
//! stored; that two users with one key get their own answers; that a GET
//! passes through; and that 50 duplicates at once run the handler once.
//!
//! Run `cargo xtask test 02.2`; stuck? `cargo xtask hint 02.2`.

use axum::extract::Request;
use axum::response::Response;
use racecourse_02::IdempotencyStore;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// Puts [`Idempotent`] around a service: `router.layer(IdempotencyLayer::new(store))`.
pub struct IdempotencyLayer<S> {
    store: Arc<S>,
}

impl<S> IdempotencyLayer<S> {
    pub fn new(store: Arc<S>) -> Self {
        IdempotencyLayer { store }
    }
}

// By hand: `#[derive(Clone)]` would ask for `S: Clone`, and only the Arc is cloned.
impl<S> Clone for IdempotencyLayer<S> {
    fn clone(&self) -> Self {
        IdempotencyLayer {
            store: self.store.clone(),
        }
    }
}

impl<S, I> Layer<I> for IdempotencyLayer<S> {
    type Service = Idempotent<S, I>;

    fn layer(&self, inner: I) -> Self::Service {
        Idempotent {
            store: self.store.clone(),
            inner,
        }
    }
}

/// The service: the store, and the service it guards.
pub struct Idempotent<S, I> {
    store: Arc<S>,
    inner: I,
}

impl<S, I: Clone> Clone for Idempotent<S, I> {
    fn clone(&self) -> Self {
        Idempotent {
            store: self.store.clone(),
            inner: self.inner.clone(),
        }
    }
}

impl<S, I> Service<Request> for Idempotent<S, I>
where
    S: IdempotencyStore,
    I: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    I::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone that was polled ready is the one to call: keep it, leave
        // a fresh clone in its place (tower's docs, "Be careful when cloning
        // inner services").
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        let store = self.store.clone();
        Box::pin(async move { Ok(idempotent(store, inner, request).await) })
    }
}

/// What the layer does with one request. `racecourse_02::layer` has the
/// headers' names, the limits, `fingerprint` and the problems to answer with.
async fn idempotent<S, I>(store: Arc<S>, inner: I, request: Request) -> Response
where
    S: IdempotencyStore,
    I: Service<Request, Response = Response, Error = Infallible>,
{
    let _ = (store, inner);
    todo!(
        "02.2 exercises/02-idempotency/src/layer.rs: idempotent({} {})",
        request.method(),
        request.uri().path()
    )
}
