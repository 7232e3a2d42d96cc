//! The demo app of module 02: one payment route behind an idempotency store.
//!
//! `POST /charges` with an `Idempotency-Key` header and `{"amount": 10}` makes
//! a charge, once per key: a retry of a completed request gets the stored
//! answer back (with `Idempotent-Replayed: true`), a retry while the first is
//! at work gets 409, the key reused with another body gets 422. `GET /charges`
//! counts the charges made, which is the number the demo is about: with the
//! naive store, duplicates sent at once are charged more than once.
//!
//! Bad input is answered with problem+json (`racecourse_kit::problem`). The
//! route grows with the module: 02.2 moves the key handling into a tower layer,
//! 02.4 moves the charge and its key into one PostgreSQL transaction.

use crate::spec::erased::DynIdempotencyStore;
use crate::store::{Begin, StoredResponse};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json as AxumJson, Router};
use racecourse_kit::problem::{Json, Problem};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The header a client sends the same value in with every retry of a request.
pub const KEY_HEADER: &str = "idempotency-key";

/// How long the charge takes: long enough for duplicates to arrive meanwhile.
const CHARGE_TIME: Duration = Duration::from_millis(20);

#[derive(Debug, Serialize, Deserialize)]
pub struct ChargeRequest {
    /// In cents; more than zero.
    pub amount: u64,
}

/// The app's state: the store, and the charges made so far.
pub struct Payments {
    store: Arc<dyn DynIdempotencyStore>,
    charges: AtomicU64,
}

/// The demo's router over any idempotency store.
pub fn router(store: Arc<dyn DynIdempotencyStore>) -> Router {
    let state = Arc::new(Payments {
        store,
        charges: AtomicU64::new(0),
    });
    Router::new()
        .route("/charges", post(charge).get(count))
        .fallback(racecourse_kit::problem::no_route)
        .method_not_allowed_fallback(racecourse_kit::problem::wrong_method)
        .with_state(state)
}

async fn count(State(app): State<Arc<Payments>>) -> Response {
    AxumJson(serde_json::json!({ "charges": app.charges.load(Ordering::SeqCst) })).into_response()
}

async fn charge(
    State(app): State<Arc<Payments>>,
    headers: HeaderMap,
    Json(request): Json<ChargeRequest>,
) -> Result<Response, Problem> {
    let key = idempotency_key(&headers)?;
    if request.amount == 0 {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount must be more than zero (cents)",
        ));
    }
    let fingerprint = format!("POST /charges amount={}", request.amount);
    match app.store.begin(key, &fingerprint).await {
        Begin::New => {
            tokio::time::sleep(CHARGE_TIME).await;
            let n = app.charges.fetch_add(1, Ordering::SeqCst) + 1;
            let body = serde_json::json!({ "charge": format!("ch_{n}"), "amount": request.amount });
            let stored = StoredResponse {
                status: StatusCode::CREATED.as_u16(),
                headers: Vec::new(),
                body: body.to_string(),
            };
            app.store.complete(key, stored.clone()).await;
            Ok(stored_response(stored, false))
        }
        Begin::Replay(stored) => Ok(stored_response(stored, true)),
        Begin::InFlight => Err(Problem::typed(
            StatusCode::CONFLICT,
            "request-in-flight",
            "A request with this key is in progress",
            format!("the request with Idempotency-Key {key} has not finished: retry later"),
        )),
        Begin::Mismatch => Err(Problem::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "This key was used for another request",
            format!("Idempotency-Key {key} was sent with another body: use a new key"),
        )),
    }
}

/// The key: present, 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<&str, Problem> {
    let value = headers.get(KEY_HEADER).ok_or_else(|| {
        Problem::bad_request("send an Idempotency-Key header: the same value with every retry")
    })?;
    value
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            Problem::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters")
        })
}

fn stored_response(stored: StoredResponse, replayed: bool) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// Sends `n` identical charges with one key at once to `app`, as a client that
/// retries too eagerly would, and returns the statuses and the charges made.
pub async fn burst(app: Router, n: usize) -> (Vec<u16>, u64) {
    use tower::ServiceExt;
    let key = format!("burst-{}", std::process::id());
    let requests = (0..n).map(|_| {
        let request = Request::post("/charges")
            .header(KEY_HEADER, key.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"amount":10}"#))
            .expect("a valid request");
        tokio::spawn(app.clone().oneshot(request))
    });
    let handles: Vec<_> = requests.collect();
    let mut statuses = Vec::with_capacity(n);
    for handle in handles {
        let response = handle
            .await
            .expect("the request's task")
            .expect("infallible");
        statuses.push(response.status().as_u16());
    }
    let response = app
        .oneshot(Request::get("/charges").body(Body::empty()).unwrap())
        .await
        .expect("infallible");
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("the count's body")
        .to_bytes();
    let count: serde_json::Value = serde_json::from_slice(&body).expect("the count as JSON");
    (statuses, count["charges"].as_u64().unwrap_or(0))
}
