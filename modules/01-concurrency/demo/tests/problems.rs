//! Every endpoint of the demo answers bad input with a problem+json 4xx, never a
//! 500 or a panic. The bodies are snapshots: review a change as you would code.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use racecourse_01::demo::{MemShop, app};
use racecourse_01_solutions::versioned::MemStore;
use racecourse_kit::ask::ask;
use tower::ServiceExt;

async fn call(
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, String, serde_json::Value) {
    let shop = MemShop::<MemStore>::new(&[(1, 1)]);
    let mut request = Request::builder().method(method).uri(path);
    if let Some(ct) = content_type {
        request = request.header(header::CONTENT_TYPE, ct);
    }
    let request = request.body(Body::from(body.to_string())).unwrap();
    let (status, ct, body) = ask(&app(shop), request).await;
    (
        status,
        ct,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
    )
}

const JSON: Option<&str> = Some("application/json");

#[tokio::test]
async fn bad_input_is_a_problem() {
    let cases = [
        (
            "malformed JSON",
            "POST",
            "/products/1/orders",
            JSON,
            "{\"buyer\": ",
        ),
        (
            "wrong field types",
            "POST",
            "/products/1/orders",
            JSON,
            r#"{"buyer": 7, "qty": "one"}"#,
        ),
        (
            "no content type",
            "POST",
            "/products/1/orders",
            None,
            r#"{"buyer":"ann","qty":1}"#,
        ),
        (
            "a product id that is not a number",
            "GET",
            "/products/abc",
            None,
            "",
        ),
        ("an unknown product", "GET", "/products/999", None, ""),
        (
            "an order for an unknown product",
            "POST",
            "/products/999/orders",
            JSON,
            r#"{"buyer":"ann","qty":1}"#,
        ),
        (
            "a quantity of zero",
            "POST",
            "/products/1/orders",
            JSON,
            r#"{"buyer":"ann","qty":0}"#,
        ),
        (
            "more than the stock",
            "POST",
            "/products/1/orders",
            JSON,
            r#"{"buyer":"ann","qty":2}"#,
        ),
        ("an unknown route", "GET", "/nowhere", None, ""),
        (
            "a method the route does not have",
            "DELETE",
            "/products/1",
            None,
            "",
        ),
    ];
    for (what, method, path, ct, body) in cases {
        let (status, content_type, problem) = call(method, path, ct, body).await;
        assert!(
            status.is_client_error(),
            "{what}: expected a 4xx, got {status}"
        );
        assert_eq!(
            content_type, "application/problem+json",
            "{what}: the error must be problem+json"
        );
        assert_eq!(
            problem["status"],
            status.as_u16(),
            "{what}: the problem's status must match the response's"
        );
        insta::assert_json_snapshot!(what.replace(' ', "_"), problem);
    }
}

#[tokio::test]
async fn an_order_is_created_then_stock_runs_out() {
    let shop = MemShop::<MemStore>::new(&[(1, 1)]);
    let router = app(shop);
    let order = |buyer: &str| {
        Request::post("/products/1/orders")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!(r#"{{"buyer":"{buyer}","qty":1}}"#)))
            .unwrap()
    };
    assert_eq!(
        router.clone().oneshot(order("ann")).await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(
        router.clone().oneshot(order("bob")).await.unwrap().status(),
        StatusCode::CONFLICT
    );
}
