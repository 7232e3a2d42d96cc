//! The demo app of module 02: a payment route, and the `Idempotency-Key`
//! layer (02.2) in front of it.
//!
//! `POST /charges` with `x-user`, an `Idempotency-Key` and `{"amount": 10}`
//! makes a charge. The handler knows nothing of keys: the layer the demo puts
//! in front of it (the naive "none", the exercise's, the solution's) decides
//! whether a retry runs it again. `GET /charges` counts the charges made,
//! which is the number the demo is about.
//!
//! Bad input is answered with problem+json (`racecourse_kit::problem`): the
//! layer's 400, 409 and 422, the handler's 400 and 422, 404 and 405.

use crate::layer::{KEY_HEADER, REPLAYED_HEADER, USER_HEADER};
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json as AxumJson, Router};
use racecourse_kit::problem::{Json, Problem};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower::ServiceExt;

/// How long a charge takes: long enough for duplicates to arrive meanwhile.
const CHARGE_TIME: Duration = Duration::from_millis(20);

#[derive(Debug, Serialize, Deserialize)]
pub struct ChargeRequest {
    /// In cents; more than zero.
    pub amount: u64,
}

/// The charges made so far.
#[derive(Default)]
pub struct Charges(AtomicU64);

/// The payment routes, without any idempotency: `wrap` puts a layer on them
/// (`|r| r.layer(IdempotencyLayer::new(store))`, or nothing for the naive demo).
pub fn router(wrap: impl FnOnce(Router) -> Router) -> Router {
    let routes = Router::new()
        .route("/charges", post(charge).get(count))
        .with_state(Arc::new(Charges::default()));
    wrap(routes)
        .fallback(racecourse_kit::problem::no_route)
        .method_not_allowed_fallback(racecourse_kit::problem::wrong_method)
}

async fn count(State(charges): State<Arc<Charges>>) -> Response {
    AxumJson(serde_json::json!({ "charges": charges.0.load(Ordering::SeqCst) })).into_response()
}

async fn charge(
    State(charges): State<Arc<Charges>>,
    Json(request): Json<ChargeRequest>,
) -> Result<Response, Problem> {
    if request.amount == 0 {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount must be more than zero (cents)",
        ));
    }
    tokio::time::sleep(CHARGE_TIME).await;
    let n = charges.0.fetch_add(1, Ordering::SeqCst) + 1;
    let body = serde_json::json!({ "charge": format!("ch_{n}"), "amount": request.amount });
    Ok((StatusCode::CREATED, AxumJson(body)).into_response())
}

/// What a run of identical requests got.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Answered by the handler (201 without `Idempotent-Replayed`).
    pub created: usize,
    /// Answered from the store (`Idempotent-Replayed: true`).
    pub replayed: usize,
    /// Refused while the first was at work (409).
    pub in_flight: usize,
    /// Anything else.
    pub other: usize,
    /// The charges the app made, by its own count.
    pub charges: u64,
}

impl Tally {
    /// One line for the demo: the number the chapter is about.
    pub fn summary(&self) -> String {
        let charged = match self.charges {
            1 => "charged once".to_string(),
            n => format!("charged {n} times"),
        };
        let mut parts = vec![charged];
        if self.replayed > 0 {
            parts.push(format!("{} replays", self.replayed));
        }
        if self.in_flight > 0 {
            parts.push(format!("{} in flight (409)", self.in_flight));
        }
        if self.other > 0 {
            parts.push(format!("{} other answers", self.other));
        }
        parts.join(", ")
    }
}

fn payment(key: &str) -> Request<Body> {
    Request::post("/charges")
        .header(KEY_HEADER, key)
        .header(USER_HEADER, "ann")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"amount":10}"#))
        .expect("a valid request")
}

fn tally_one(tally: &mut Tally, response: &Response) {
    match response.status() {
        _ if response.headers().contains_key(REPLAYED_HEADER) => tally.replayed += 1,
        StatusCode::CREATED => tally.created += 1,
        StatusCode::CONFLICT => tally.in_flight += 1,
        _ => tally.other += 1,
    }
}

async fn charges_made(app: Router) -> u64 {
    let response = app
        .oneshot(Request::get("/charges").body(Body::empty()).unwrap())
        .await
        .expect("infallible");
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("the count's body")
        .to_bytes();
    let count: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    count["charges"].as_u64().unwrap_or(0)
}

/// Sends one payment and `n - 1` retries of it, one after another, as a
/// client does whose requests time out before the answer comes back.
pub async fn retries(app: Router, n: usize) -> Tally {
    let key = format!("retry-{}", std::process::id());
    let mut tally = Tally::default();
    for _ in 0..n {
        let response = app
            .clone()
            .oneshot(payment(&key))
            .await
            .expect("infallible");
        tally_one(&mut tally, &response);
    }
    tally.charges = charges_made(app).await;
    tally
}

/// Sends `n` identical payments at once, as a client that retries too
/// eagerly, or a double-click, does.
pub async fn burst(app: Router, n: usize) -> Tally {
    let key = format!("burst-{}", std::process::id());
    let handles = (0..n)
        .map(|_| tokio::spawn(app.clone().oneshot(payment(&key))))
        .collect();
    let mut tally = Tally::default();
    for response in racecourse_kit::spec::join_all(handles).await {
        tally_one(&mut tally, &response.expect("infallible"));
    }
    tally.charges = charges_made(app).await;
    tally
}
