//! The demo answers bad input with problem+json 4xx, never a 500, and the
//! excess with 429 and the rate-limit fields.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use racecourse_04_solutions::layer::RateLimitLayer;
use racecourse_kit::ask::ask;
use std::net::SocketAddr;

fn app() -> Router {
    let config = racecourse_04::demo::config(Vec::new());
    racecourse_04::demo::router(|routes| routes.layer(RateLimitLayer::new(config)))
}

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    forwarded: Option<&str>,
) -> (StatusCode, String, String) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(xff) = forwarded {
        request = request.header("x-forwarded-for", xff);
    }
    let mut request = request.body(Body::empty()).unwrap();
    let peer: SocketAddr = "198.51.100.7:40000".parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    ask(app, request).await
}

fn assert_problem(got: &(StatusCode, String, String), status: StatusCode) {
    assert_eq!(got.0, status, "{}", got.2);
    assert_eq!(got.1, "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&got.2).unwrap();
    assert_eq!(problem["status"], status.as_u16());
}

#[tokio::test]
async fn bad_input_gets_a_problem() {
    let app = app();
    assert_problem(
        &send(&app, Method::GET, "/search", None).await,
        StatusCode::BAD_REQUEST,
    );
    assert_problem(
        &send(&app, Method::GET, "/search?q=", None).await,
        StatusCode::BAD_REQUEST,
    );
    let long = format!("/search?q={}", "a".repeat(200));
    assert_problem(
        &send(&app, Method::GET, &long, None).await,
        StatusCode::BAD_REQUEST,
    );
    assert_problem(
        &send(&app, Method::GET, "/nowhere", None).await,
        StatusCode::NOT_FOUND,
    );
    assert_problem(
        &send(&app, Method::POST, "/items", None).await,
        StatusCode::METHOD_NOT_ALLOWED,
    );
    let (status, _, body) = send(&app, Method::GET, "/search?q=lamp", Some("not an address")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a malformed X-Forwarded-For is ignored: {body}"
    );
}

#[tokio::test]
async fn the_excess_gets_429_with_the_fields() {
    let app = app();
    for i in 0..10 {
        let got = send(
            &app,
            Method::GET,
            "/search?q=desk",
            Some(&format!("192.0.2.{i}")),
        )
        .await;
        assert_eq!(got.0, StatusCode::OK, "{}", got.2);
    }
    let refused = send(&app, Method::GET, "/search?q=desk", Some("192.0.2.99")).await;
    assert_problem(&refused, StatusCode::TOO_MANY_REQUESTS);
}
