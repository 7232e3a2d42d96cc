//! Every route of the demo answers bad input with a problem+json 4xx, never a
//! 500, on a fresh PostgreSQL schema.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use racecourse_05::gateway::FakeGateway;
use racecourse_05::spec::erased::payment_client;
use racecourse_06::checkout::add_product;
use racecourse_06::demo::{Shop, router};
use racecourse_06::spec::checkout::payments;
use racecourse_06::spec::erased as e;
use racecourse_06::wallet::open_account;
use racecourse_06_solutions as s;
use racecourse_kit::ask::ask;
use racecourse_kit::services::with_pg;
use std::sync::Arc;
use std::time::Duration;

async fn send(
    app: &Router,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(path);
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = Body::from(body.unwrap_or_default().to_string());
    let (status, content_type, _) = ask(app, request.body(body).unwrap()).await;
    (status, content_type)
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_a_problem() {
    with_pg(&racecourse_06::MIGRATOR, |pool| async move {
        add_product(&pool, 1, 5, 600).await.unwrap();
        open_account(&pool, 1, 100).await.unwrap();
        let gateway = Arc::new(FakeGateway::new(Duration::ZERO));
        let app = router(Shop {
            checkout: e::checkout::<s::checkout::PgCheckout>(
                pool.clone(),
                payments(
                    payment_client::<racecourse_05_solutions::payments::ResilientClient>,
                    gateway,
                ),
            ),
            wallet: e::wallet::<s::wallet::PgWallet>(pool.clone()),
            pool,
            intake: None,
        });
        let huge = format!(r#"{{"recipient":"{}"}}"#, "x".repeat(3 << 20));
        let cases: Vec<(Method, &str, Option<&str>, StatusCode)> = vec![
            (
                Method::POST,
                "/checkout",
                Some("{not json"),
                StatusCode::BAD_REQUEST,
            ),
            (
                Method::POST,
                "/checkout",
                Some(r#"{"product":1}"#),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                Method::POST,
                "/checkout",
                None,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                Method::POST,
                "/checkout",
                Some(r#"{"product":9,"buyer":"ann","qty":1}"#),
                StatusCode::NOT_FOUND,
            ),
            (
                Method::POST,
                "/checkout",
                Some(r#"{"product":1,"buyer":"ann","qty":0}"#),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                Method::POST,
                "/checkout",
                Some(r#"{"product":1,"buyer":"ann","qty":9}"#),
                StatusCode::CONFLICT,
            ),
            (
                Method::POST,
                "/checkout",
                // 1200, over the gateway's card limit.
                Some(r#"{"product":1,"buyer":"bo","qty":2}"#),
                StatusCode::PAYMENT_REQUIRED,
            ),
            (Method::GET, "/products/abc", None, StatusCode::BAD_REQUEST),
            (Method::GET, "/products/9", None, StatusCode::NOT_FOUND),
            (
                Method::POST,
                "/wallets/1/debits",
                Some(r#"{"amount":-1}"#),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                Method::POST,
                "/wallets/1/debits",
                Some(r#"{"amount":1000}"#),
                StatusCode::CONFLICT,
            ),
            (
                Method::POST,
                "/wallets/9/debits",
                Some(r#"{"amount":1}"#),
                StatusCode::NOT_FOUND,
            ),
            (Method::GET, "/wallets/x", None, StatusCode::BAD_REQUEST),
            (Method::GET, "/wallets/9", None, StatusCode::NOT_FOUND),
            (
                Method::POST,
                "/emails",
                Some(r#"{"recipient":""}"#),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                Method::POST,
                "/emails",
                Some(&huge),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            (
                Method::DELETE,
                "/checkout",
                None,
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            (Method::GET, "/nowhere", None, StatusCode::NOT_FOUND),
        ];
        for (method, path, body, expected) in cases {
            let (status, content_type) = send(&app, method.clone(), path, body).await;
            assert_eq!(
                status,
                expected,
                "{method} {path} {:?}",
                body.map(|b| &b[..b.len().min(60)])
            );
            assert_eq!(content_type, "application/problem+json", "{method} {path}");
        }
        let (status, _) = send(
            &app,
            Method::POST,
            "/checkout",
            Some(r#"{"product":1,"buyer":"ann","qty":1}"#),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "a good checkout");
        let (status, _) = send(
            &app,
            Method::POST,
            "/emails",
            Some(r#"{"recipient":"ann@example.com"}"#),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "a queued email");
    })
    .await;
}
