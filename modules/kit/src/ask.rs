//! One request through a demo's router, in process, as the demos' tests send
//! them: what came back, as the tests read it (status, content type, body).

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Sends `request` through `router` and reads the whole answer. Panics when
/// the router fails, which an axum router never does (its errors are
/// responses): the test that asked is the one to fail.
pub async fn ask(router: &Router, request: Request<Body>) -> (StatusCode, String, String) {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("an axum router answers");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the body of an in-process response")
        .to_bytes();
    (
        status,
        content_type,
        String::from_utf8_lossy(&body).into_owned(),
    )
}
