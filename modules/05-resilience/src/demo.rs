//! The demo app of module 05: a shop's `POST /orders`, which charges the
//! order through a payment client (05.4) over the [`FakeGateway`], whose
//! switches `PUT /gateway` turns. The demo binary drives it with a steady
//! load while the gateway hangs for a few seconds, and prints, second by
//! second, what the customers got: served, failed fast, timed out, still
//! waiting, and the breaker's state; `GET /metrics` exports the same as
//! Prometheus series.
//!
//! Bad input is answered with problem+json (`racecourse_kit::problem`): 400
//! for malformed JSON, 415 without a JSON content type, 422 for a body that
//! does not fit, 413 for an oversized one, 404 and 405; and the payment's own
//! failures as 402, 503 and 504 problems.

use crate::breaker::{Breaker, State as BreakerState};
use crate::gateway::{FakeGateway, Mode};
use crate::payments::ChargeError;
use crate::spec::erased::DynPaymentClient;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json as AxumJson, Router};
use racecourse_kit::metrics;
use racecourse_kit::problem::{Json, Problem};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The largest body the demo reads.
pub const BODY_LIMIT: usize = 4096;

/// The shop: its payment client, the gateway behind it, the breaker the
/// client uses (none for the naive client), and what its customers got.
pub struct Shop {
    pub client: Arc<dyn DynPaymentClient>,
    pub gateway: Arc<FakeGateway>,
    pub breaker: Option<Arc<dyn Breaker>>,
    pub tally: Tally,
}

/// What the customers got, counted as the answers leave.
#[derive(Default)]
pub struct Tally {
    pub served: AtomicU64,
    pub declined: AtomicU64,
    pub failed_fast: AtomicU64,
    pub timed_out: AtomicU64,
    pub unavailable: AtomicU64,
    /// Orders taken and not answered yet.
    pub waiting: AtomicU64,
    /// How long each answer took, since the last [`Tally::drain_latencies`].
    latencies: Mutex<Vec<Duration>>,
}

impl Tally {
    /// The latencies of the answers given since the last call, sorted.
    pub fn drain_latencies(&self) -> Vec<Duration> {
        let mut latencies = std::mem::take(&mut *self.latencies.lock().unwrap());
        latencies.sort();
        latencies
    }

    fn count(&self, result: &Result<String, ChargeError>, took: Duration) {
        let counter = match result {
            Ok(_) => &self.served,
            Err(ChargeError::Declined) => &self.declined,
            Err(ChargeError::CircuitOpen) => &self.failed_fast,
            Err(ChargeError::TimedOut) => &self.timed_out,
            Err(ChargeError::Unavailable) => &self.unavailable,
        };
        counter.fetch_add(1, Ordering::SeqCst);
        self.latencies.lock().unwrap().push(took);
    }
}

/// The routes of the shop, and `GET /metrics` (`racecourse_kit::metrics`):
/// requests by status, orders by outcome, the payment calls' latency.
pub fn router(shop: Arc<Shop>) -> Router {
    let routes = Router::new()
        .route("/orders", post(order))
        .route("/gateway", put(switch))
        .route("/status", get(status))
        .with_state(shop)
        .fallback(racecourse_kit::problem::no_route)
        .method_not_allowed_fallback(racecourse_kit::problem::wrong_method)
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    metrics::instrument(routes)
}

#[derive(Debug, Serialize, Deserialize)]
pub struct OrderRequest {
    pub order: String,
    /// In cents; more than zero. Above `gateway::CARD_LIMIT` the card is declined.
    pub amount: i64,
}

async fn order(
    State(shop): State<Arc<Shop>>,
    Json(request): Json<OrderRequest>,
) -> Result<Response, Problem> {
    if request.order.is_empty() || request.order.len() > 64 {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "order must be 1 to 64 characters",
        ));
    }
    if request.amount <= 0 {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount must be more than zero",
        ));
    }
    shop.tally.waiting.fetch_add(1, Ordering::SeqCst);
    let started = Instant::now();
    let result = shop.client.charge(&request.order, request.amount).await;
    shop.tally.waiting.fetch_sub(1, Ordering::SeqCst);
    shop.tally.count(&result, started.elapsed());
    metrics::payment_call(started.elapsed());
    metrics::order(match result {
        Ok(_) => "CONFIRMED",
        Err(ChargeError::Declined) => "DECLINED",
        Err(_) => "FAILED",
    });
    let problem = match result {
        Ok(charge) => {
            let body = json!({ "order": request.order, "charge": charge });
            return Ok((StatusCode::CREATED, AxumJson(body)).into_response());
        }
        Err(ChargeError::Declined) => Problem::typed(
            StatusCode::PAYMENT_REQUIRED,
            "card-declined",
            "Card declined",
            format!("the card was declined for {}", request.amount),
        ),
        Err(e @ (ChargeError::CircuitOpen | ChargeError::Unavailable)) => Problem::typed(
            StatusCode::SERVICE_UNAVAILABLE,
            "payments-unavailable",
            "Payments unavailable",
            e.to_string(),
        ),
        Err(e @ ChargeError::TimedOut) => Problem::typed(
            StatusCode::GATEWAY_TIMEOUT,
            "payments-timed-out",
            "Payments timed out",
            e.to_string(),
        ),
    };
    let mut response = problem.into_response();
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    Ok(response)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayMode {
    Up,
    Failing,
    Hanging,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    pub mode: GatewayMode,
    /// The gateway's latency, in milliseconds, at most a minute.
    pub latency_ms: Option<u64>,
}

async fn switch(
    State(shop): State<Arc<Shop>>,
    Json(switch): Json<Switch>,
) -> Result<Response, Problem> {
    if let Some(ms) = switch.latency_ms {
        if ms > 60_000 {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "latency_ms must be at most 60000",
            ));
        }
        shop.gateway.set_latency(Duration::from_millis(ms));
    }
    shop.gateway.set_mode(match switch.mode {
        GatewayMode::Up => Mode::Up,
        GatewayMode::Failing => Mode::Failing,
        GatewayMode::Hanging => Mode::Hanging,
    });
    Ok(status(State(shop)).await)
}

/// A breaker's state as the demo prints it; `-` when there is none.
pub fn breaker_state(breaker: Option<&Arc<dyn Breaker>>) -> &'static str {
    match breaker.map(|b| b.state()) {
        None => "-",
        Some(BreakerState::Closed) => "closed",
        Some(BreakerState::Open) => "open",
        Some(BreakerState::HalfOpen) => "half-open",
    }
}

async fn status(State(shop): State<Arc<Shop>>) -> Response {
    let t = &shop.tally;
    AxumJson(json!({
        "gateway": format!("{:?}", shop.gateway.mode()).to_lowercase(),
        "breaker": breaker_state(shop.breaker.as_ref()),
        "served": t.served.load(Ordering::SeqCst),
        "declined": t.declined.load(Ordering::SeqCst),
        "failed_fast": t.failed_fast.load(Ordering::SeqCst),
        "timed_out": t.timed_out.load(Ordering::SeqCst),
        "unavailable": t.unavailable.load(Ordering::SeqCst),
        "waiting": t.waiting.load(Ordering::SeqCst),
        "gateway_calls": shop.gateway.calls(),
        "gateway_in_flight": shop.gateway.in_flight(),
    }))
    .into_response()
}
