//! The demo answers bad input with problem+json, and a retry with the first answer.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use racecourse_02::IdempotencyStore;
use racecourse_02::demo::Tally;
use racecourse_02_solutions::layer::IdempotencyLayer;
use racecourse_02_solutions::store::MemStore;
use racecourse_kit::ask::ask;
use std::sync::Arc;
use std::time::Duration;

fn app() -> Router {
    let store = Arc::new(MemStore::new(
        Duration::from_secs(24 * 3600),
        Duration::from_secs(30),
    ));
    racecourse_02::demo::router(|routes| routes.layer(IdempotencyLayer::new(store)))
}

async fn send(app: &Router, key: Option<&str>, body: &str) -> (StatusCode, String, String) {
    let mut request = Request::post("/charges")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-user", "ann");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    ask(app, request.body(Body::from(body.to_string())).unwrap()).await
}

fn assert_problem(got: (StatusCode, String, String), status: StatusCode, words: &str) {
    assert_eq!(got.0, status, "{}", got.2);
    assert_eq!(got.1, "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&got.2).unwrap();
    assert_eq!(problem["status"], status.as_u16());
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(words), "{detail:?} should say {words:?}");
}

#[tokio::test]
async fn bad_input_is_a_problem() {
    let app = app();
    let ok = r#"{"amount":10}"#;
    assert_problem(
        send(&app, None, ok).await,
        StatusCode::BAD_REQUEST,
        "Idempotency-Key header",
    );
    assert_problem(
        send(&app, Some(""), ok).await,
        StatusCode::BAD_REQUEST,
        "1 to 255",
    );
    assert_problem(
        send(&app, Some("k"), "{").await,
        StatusCode::BAD_REQUEST,
        "JSON",
    );
    assert_problem(
        send(&app, Some("k"), r#"{"amount":"ten"}"#).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "amount",
    );
    assert_problem(
        send(&app, Some("k"), r#"{"amount":0}"#).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "more than zero",
    );
}

#[tokio::test]
async fn a_retry_gets_the_first_answer_and_a_reused_key_a_422() {
    let app = app();
    let first = send(&app, Some("k1"), r#"{"amount":10}"#).await;
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.2);
    let retry = send(&app, Some("k1"), r#"{"amount":10}"#).await;
    assert_eq!(
        retry, first,
        "a retry must get the first answer, byte for byte"
    );
    assert_problem(
        send(&app, Some("k1"), r#"{"amount":99}"#).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another method, path or body",
    );
}

#[tokio::test]
async fn duplicates_at_once_charge_once() {
    let tally = racecourse_02::demo::burst(app(), 20).await;
    assert_eq!(
        (tally.charges, tally.created, tally.in_flight),
        (1, 1, 19),
        "20 identical requests at once: {tally:?}"
    );
}

#[tokio::test]
async fn retries_are_replayed_and_charged_once() {
    let tally = racecourse_02::demo::retries(app(), 50).await;
    assert_eq!(
        tally,
        Tally {
            created: 1,
            replayed: 49,
            charges: 1,
            ..Tally::default()
        }
    );
    assert_eq!(tally.summary(), "charged once, 49 replays");
}

#[tokio::test]
async fn without_the_layer_every_retry_is_charged() {
    let app = racecourse_02::demo::router(racecourse_02::naive::layer::no_layer);
    let tally = racecourse_02::demo::retries(app, 50).await;
    assert_eq!(tally.summary(), "charged 50 times");
}
