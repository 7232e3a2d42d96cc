//! Prometheus metrics for the demos: a `GET /metrics` endpoint in the text
//! exposition format, and the four series the seeds' Go shop is monitored by.
//!
//! | series | kind | what it answers |
//! | --- | --- | --- |
//! | `http_requests_total{status_code}` | counter | how many 429s and 503s (rate limited, shed) |
//! | `pg_pool_waiting_connections` | gauge | is the database pool exhausted? |
//! | `orders_created_total{status}` | counter | the order success rate |
//! | `inventory_lock_duration_seconds`, `payment_call_duration_seconds` | histograms | how long a lock is waited for, a dependency called |
//!
//! The `metrics` crate's macros record into one recorder per process,
//! `metrics-exporter-prometheus`'s, installed on first use with histogram
//! buckets (so that PromQL's `histogram_quantile` works) and without the
//! exporter's own HTTP listener: [`instrument`] serves the endpoint from the
//! demo's own router, and counts its requests by status.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const HTTP_REQUESTS: &str = "http_requests_total";
pub const HTTP_REQUEST_SECONDS: &str = "http_request_duration_seconds";
pub const POOL_WAITING: &str = "pg_pool_waiting_connections";
pub const ORDERS_CREATED: &str = "orders_created_total";
pub const LOCK_SECONDS: &str = "inventory_lock_duration_seconds";
pub const PAYMENT_CALL_SECONDS: &str = "payment_call_duration_seconds";

/// The Prometheus text exposition format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Histogram buckets, in seconds: from a millisecond to ten seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on the first call.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed in this process");
        describe();
        handle
    })
}

fn describe() {
    use metrics::Unit;
    metrics::describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by status code");
    metrics::describe_histogram!(HTTP_REQUEST_SECONDS, Unit::Seconds, "HTTP request latency");
    metrics::describe_gauge!(POOL_WAITING, "tasks waiting for a PostgreSQL connection");
    metrics::describe_counter!(ORDERS_CREATED, "orders, by outcome (CONFIRMED, ...)");
    metrics::describe_histogram!(LOCK_SECONDS, Unit::Seconds, "time waited for a stock lock");
    metrics::describe_histogram!(
        PAYMENT_CALL_SECONDS,
        Unit::Seconds,
        "time a charge took, retries and refusals included"
    );
}

/// Everything recorded so far, in the text exposition format.
pub fn render() -> String {
    let handle = handle();
    handle.run_upkeep();
    handle.render()
}

/// The rendered samples (no comments) of the series named `names`, for a
/// demo's summary.
pub fn samples(names: &[&str]) -> Vec<String> {
    render()
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| names.iter().any(|name| line.starts_with(name)))
        .map(str::to_string)
        .collect()
}

/// `router` with `GET /metrics` (another method gets the 405 problem), every
/// request counted by status and timed. Call it last, when every route and
/// fallback is on the router.
pub fn instrument<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    handle();
    router
        .route(
            "/metrics",
            get(serve).fallback(crate::problem::wrong_method),
        )
        .layer(middleware::from_fn(count))
}

async fn serve() -> Response {
    let mut response = render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

async fn count(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(HTTP_REQUESTS, "status_code" => status).increment(1);
    metrics::histogram!(HTTP_REQUEST_SECONDS).record(started.elapsed().as_secs_f64());
    response
}

/// An order's outcome: `CONFIRMED`, or why not (`DECLINED`, `FAILED`, ...).
pub fn order(status: &'static str) {
    metrics::counter!(ORDERS_CREATED, "status" => status).increment(1);
}

/// How many tasks wait for a connection of the pool now.
pub fn pool_waiting(waiting: usize) {
    metrics::gauge!(POOL_WAITING).set(waiting as f64);
}

/// How long a task waited for a stock lock.
pub fn lock_wait(waited: Duration) {
    metrics::histogram!(LOCK_SECONDS).record(waited.as_secs_f64());
}

/// How long a call to the payment gateway took, as its caller saw it.
pub fn payment_call(took: Duration) {
    metrics::histogram!(PAYMENT_CALL_SECONDS).record(took.as_secs_f64());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Call, send};

    #[tokio::test]
    async fn the_endpoint_renders_the_series_in_the_text_format() {
        let router: Router = instrument(Router::new().route("/ok", get(|| async { "ok" })));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        for path in ["/ok", "/ok", "/missing"] {
            send(addr, &Call::get(path)).await.unwrap();
        }
        order("CONFIRMED");
        payment_call(Duration::from_millis(30));
        let text = send(addr, &Call::get("/metrics")).await.unwrap().body;
        assert!(
            text.contains(r#"http_requests_total{status_code="200"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"http_requests_total{status_code="404"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"orders_created_total{status="CONFIRMED"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"payment_call_duration_seconds_bucket{le="0.05"} 1"#),
            "{text}"
        );
        assert_eq!(samples(&[ORDERS_CREATED]).len(), 1);
    }
}
