//! `GET /metrics` of the demo's shop: the series in the text format, each
//! request and each order counted once. The only test in its binary: the
//! recorder is the process's, and another test's orders would be counted too.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use racecourse_01::demo::MemShop;
use racecourse_01_demo::metered::{PoolGauge, router};
use racecourse_01_solutions::versioned::MemStore;

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, String, String) {
    racecourse_kit::ask::ask(router, request).await
}

fn order(qty: i32) -> Request<Body> {
    Request::post("/products/1/orders")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!(r#"{{"buyer":"ann","qty":{qty}}}"#)))
        .unwrap()
}

#[tokio::test]
async fn the_series_count_each_request_and_each_order_once() {
    let gauge = PoolGauge::new(None);
    let shop = router(MemShop::<MemStore>::new(&[(1, 1)]), gauge.clone());
    for (qty, status) in [
        (1, StatusCode::CREATED),
        (1, StatusCode::CONFLICT),
        (0, StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        assert_eq!(send(&shop, order(qty)).await.0, status);
    }
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    assert_eq!(send(&shop, get("/products/1")).await.0, StatusCode::OK);

    let (status, content_type, text) = send(&shop, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    for line in [
        r#"http_requests_total{status_code="201"} 1"#,
        r#"http_requests_total{status_code="409"} 1"#,
        r#"http_requests_total{status_code="422"} 1"#,
        r#"http_requests_total{status_code="200"} 1"#,
        r#"orders_created_total{status="CONFIRMED"} 1"#,
        r#"orders_created_total{status="OUT_OF_STOCK"} 1"#,
        // The quantity of 0 was no order: not in the rate, not in the histogram.
        "inventory_lock_duration_seconds_count 2",
        r#"inventory_lock_duration_seconds_bucket{le="+Inf"} 2"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
    }
    // In memory there is no pool to wait for.
    assert!(!text.contains("pg_pool_waiting_connections "), "{text}");
    assert_eq!(gauge.peak(), None);
    assert_eq!(
        send(
            &shop,
            Request::post("/metrics").body(Body::empty()).unwrap()
        )
        .await
        .0,
        StatusCode::METHOD_NOT_ALLOWED
    );
}
