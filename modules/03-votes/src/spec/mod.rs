//! The spec of module 03: one async function per property, taking a `fn` that
//! makes the implementation as a trait object ([`erased`]), and per exercise a
//! `checks` list of them. [`crate::spec!`] runs the lists against the exercise
//! crate and the solution crate; `tests/gallery.rs` runs them against the naive
//! code and the wrong fixes, which they must catch.
//!
//! Each property is checked under real concurrency (100 to 200 tasks at once,
//! started together) and ends in an exact count. Failures read like a
//! teacher's remark.

pub mod ballot;
pub mod coupon;
pub mod erased;
pub mod likes;
pub mod poll;
pub mod reward;

pub(crate) use racecourse_kit::spec::together;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use racecourse_kit::i18n::t;
use racecourse_kit::spec::OrFail;
use tower::ServiceExt;

/// What the demo's router answered: status, headers, body.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// Whether the answer is a problem+json document.
    pub fn is_problem(&self) -> bool {
        self.headers
            .get("content-type")
            .is_some_and(|v| v == racecourse_kit::problem::CONTENT_TYPE)
    }
}

/// Sends one request to `router` (no socket: `oneshot`), with `json` as the
/// body when given.
pub(crate) async fn call(router: &Router, method: Method, uri: &str, json: Option<&str>) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    if json.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(Body::from(json.unwrap_or_default().to_string()))
        .or_fail(|| t!("spec-03-request"));
    let response = router
        .clone()
        .oneshot(request)
        .await
        .or_fail(|| t!("spec-03-router"));
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .or_fail(|| t!("spec-03-body"))
        .to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// " (the first with `...`)" after a count of failures, naming the first of
/// them; nothing when none failed.
pub(crate) fn first_failure(failures: &[String]) -> String {
    failures
        .first()
        .map(|f| format!(" ({})", t!("spec-03-first-with", error = f.as_str())))
        .unwrap_or_default()
}
