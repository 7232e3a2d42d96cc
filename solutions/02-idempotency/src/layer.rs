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

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use racecourse_02::layer::{
    KEY_HEADER, MAX_BODY, MAX_KEY_LEN, REPLAYED_HEADER, RETRY_AFTER_SECS, USER_HEADER, fingerprint,
    problems,
};
use racecourse_02::{Begin, IdempotencyStore, StoredResponse};
use racecourse_kit::problem::Problem;
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

// ANCHOR: solution
/// What the layer does with one request.
async fn idempotent<S, I>(store: Arc<S>, mut inner: I, request: Request) -> Response
where
    S: IdempotencyStore,
    I: Service<Request, Response = Response, Error = Infallible>,
{
    if request.method() != Method::POST {
        return call(&mut inner, request).await;
    }
    let (user, key) = match caller_and_key(request.headers()) {
        Ok(found) => found,
        Err(problem) => return problem.into_response(),
    };
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large")
            .into_response();
    };
    let print = fingerprint(&parts.method, parts.uri.path(), &body);
    // The user's length first: "ab" + "c" and "a" + "bc" are two scopes.
    let scoped = format!("{}:{user}:{key}", user.len());

    match store.begin(&scoped, &print).await {
        Begin::New => {
            let request = Request::from_parts(parts, Body::from(body));
            let response = call(&mut inner, request).await;
            if response.status().is_client_error() {
                // Refused before the work was done: the client fixes it and retries.
                store.abandon(&scoped).await;
                return response;
            }
            let stored = store_response(response).await;
            store.complete(&scoped, stored.clone()).await;
            replay(stored, false)
        }
        Begin::Replay(stored) => replay(stored, true),
        Begin::InFlight => {
            let mut response = problems::in_flight(&key).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            response
        }
        Begin::Mismatch => problems::reused_key(&key).into_response(),
    }
}

/// The caller and the key, or the 400 to answer. The key may be bare (`abc`,
/// Stripe) or a Structured Field string (`"abc"`, the IETF draft).
fn caller_and_key(headers: &HeaderMap) -> Result<(String, String), Problem> {
    let user = headers
        .get(USER_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|u| !u.is_empty())
        .ok_or_else(problems::missing_user)?;
    let raw = headers
        .get(KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(problems::invalid_key)?;
    let key = raw
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(raw);
    let valid = (1..=MAX_KEY_LEN).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_graphic() && b != b'"');
    if !valid {
        return Err(problems::invalid_key());
    }
    Ok((user.to_string(), key.to_string()))
}
// ANCHOR_END: solution

async fn call<I>(inner: &mut I, request: Request) -> Response
where
    I: Service<Request, Response = Response, Error = Infallible>,
{
    match inner.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// The handler's answer, read whole, to keep.
async fn store_response(response: Response) -> StoredResponse {
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    StoredResponse {
        status: parts.status.as_u16(),
        headers: parts
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_string())))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A stored answer as a response, marked as a replay or not.
fn replay(stored: StoredResponse, replayed: bool) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.clear(); // the stored headers, Content-Type included, and no others
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    if replayed {
        headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}
