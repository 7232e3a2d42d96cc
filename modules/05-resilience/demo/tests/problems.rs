//! The demo answers bad input with problem+json, and the gateway's failures
//! as 402, 503 and 504 problems.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use racecourse_05::demo::{BODY_LIMIT, Shop, Tally};
use racecourse_05::spec::erased::payment_client;
use racecourse_05::{Breaker, BreakerConfig, ClientConfig, FakeGateway, Mode};
use racecourse_05_solutions::breaker::MemBreaker;
use racecourse_05_solutions::payments::ResilientClient;
use racecourse_kit::ask::ask;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

fn app() -> (Router, Arc<FakeGateway>) {
    let gateway = Arc::new(FakeGateway::new(Duration::from_millis(1)));
    let breaker: Arc<dyn Breaker> = Arc::new(MemBreaker::new(BreakerConfig {
        consecutive_failures: 2,
        ..BreakerConfig::default()
    }));
    let config = ClientConfig {
        attempt_timeout: Duration::from_millis(20),
        max_attempts: 1,
        backoff: Duration::from_millis(1),
    };
    let shop = Arc::new(Shop {
        client: payment_client::<ResilientClient>(gateway.clone(), breaker.clone(), config),
        gateway: gateway.clone(),
        breaker: Some(breaker),
        tally: Tally::default(),
    });
    (racecourse_05::demo::router(shop), gateway)
}

async fn send(app: &Router, method: &str, path: &str, body: &str) -> (StatusCode, String, String) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    ask(app, request).await
}

fn assert_problem(got: (StatusCode, String, String), status: StatusCode) {
    assert_eq!(got.0, status, "{}", got.2);
    assert_eq!(got.1, "application/problem+json", "{}", got.2);
    let problem: serde_json::Value = serde_json::from_str(&got.2).unwrap();
    assert_eq!(problem["status"], status.as_u16());
}

#[tokio::test]
async fn bad_input_gets_a_problem() {
    let (app, _) = app();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    assert_problem(
        send(&app, "POST", "/orders", "{not json").await,
        StatusCode::BAD_REQUEST,
    );
    assert_problem(
        send(&app, "POST", "/orders", r#"{"order":"o"}"#).await,
        unprocessable,
    );
    assert_problem(
        send(&app, "POST", "/orders", r#"{"order":"o","amount":0}"#).await,
        unprocessable,
    );
    assert_problem(
        send(&app, "POST", "/orders", r#"{"order":"","amount":5}"#).await,
        unprocessable,
    );
    let huge = format!(r#"{{"order":"{}","amount":5}}"#, "x".repeat(BODY_LIMIT));
    assert_problem(
        send(&app, "POST", "/orders", &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    assert_problem(
        send(&app, "PUT", "/gateway", r#"{"mode":"asleep"}"#).await,
        unprocessable,
    );
    assert_problem(
        send(
            &app,
            "PUT",
            "/gateway",
            r#"{"mode":"up","latency_ms":99999999}"#,
        )
        .await,
        unprocessable,
    );
    assert_problem(
        send(&app, "GET", "/orders", "").await,
        StatusCode::METHOD_NOT_ALLOWED,
    );
    assert_problem(
        send(&app, "GET", "/nowhere", "").await,
        StatusCode::NOT_FOUND,
    );
    let no_type = Request::post("/orders").body(Body::from("{}")).unwrap();
    let response = app.clone().oneshot(no_type).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn the_gateway_failures_are_problems_too() {
    let (app, gateway) = app();
    let (status, _, body) = send(&app, "POST", "/orders", r#"{"order":"o-1","amount":5}"#).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_problem(
        send(&app, "POST", "/orders", r#"{"order":"o-2","amount":5000}"#).await,
        StatusCode::PAYMENT_REQUIRED,
    );
    let (status, _, _) = send(&app, "PUT", "/gateway", r#"{"mode":"hanging"}"#).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(gateway.mode(), Mode::Hanging);
    for n in 3..5 {
        let order = format!(r#"{{"order":"o-{n}","amount":5}}"#);
        assert_problem(
            send(&app, "POST", "/orders", &order).await,
            StatusCode::GATEWAY_TIMEOUT,
        );
    }
    let refused = send(&app, "POST", "/orders", r#"{"order":"o-5","amount":5}"#).await;
    assert!(refused.2.contains("not called"), "{}", refused.2);
    assert_problem(refused, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn metrics_are_served_in_the_text_format() {
    let (app, _) = app();
    send(&app, "POST", "/orders", r#"{"order":"o-1","amount":5}"#).await;
    let (status, content_type, body) = send(&app, "GET", "/metrics", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    assert!(
        body.contains(r#"orders_created_total{status="CONFIRMED"}"#),
        "{body}"
    );
    assert!(
        body.contains("payment_call_duration_seconds_bucket"),
        "{body}"
    );
    assert_problem(
        send(&app, "POST", "/metrics", "").await,
        StatusCode::METHOD_NOT_ALLOWED,
    );
}
