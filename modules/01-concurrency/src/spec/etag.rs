//! Spec of 01.7, driving the router in memory with `tower::ServiceExt::oneshot`.

use super::together;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use racecourse_kit::i18n::t;
use racecourse_kit::spec::{Check, Runtime};
use serde_json::{Value, json};
use tower::ServiceExt;

/// How a subject builds its router from the documents it starts with.
pub type MakeRouter = fn(Vec<(String, Value)>) -> Router;

/// The checks of 01.7.
pub fn checks(make: MakeRouter) -> Vec<Check> {
    vec![
        Check::new(
            "preconditions_are_enforced",
            Runtime::Threads,
            preconditions_are_enforced(make),
        ),
        Check::new(
            "one_of_many_racing_writers_wins",
            Runtime::Threads,
            one_of_many_racing_writers_wins(make),
        ),
    ]
}

struct Reply {
    status: StatusCode,
    etag: Option<String>,
    content_type: String,
    body: Value,
}

async fn call(
    app: &Router,
    method: &str,
    path: &str,
    if_match: Option<&str>,
    body: Option<&str>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request
        .body(Body::from(body.unwrap_or("").to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, etag, content_type) = {
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        (
            response.status(),
            header_text(header::ETAG),
            header_text(header::CONTENT_TYPE).unwrap_or_default(),
        )
    };
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        etag,
        content_type,
        body,
    }
}

fn seed() -> Vec<(String, Value)> {
    vec![("terms".into(), json!({"text": "first draft"}))]
}

fn assert_problem(reply: &Reply, status: StatusCode, what: &str) {
    assert!(
        reply.status == status,
        "{}",
        t!(
            "spec-01-7-status",
            what = what,
            expected = status.to_string(),
            got = reply.status.to_string()
        )
    );
    assert!(
        reply.content_type == racecourse_kit::problem::CONTENT_TYPE
            && reply.body["status"] == status.as_u16(),
        "{}",
        t!(
            "spec-01-7-problem",
            what = what,
            status = status.as_u16(),
            content_type = reply.content_type,
            body = reply.body.to_string()
        )
    );
}

/// GET gives an ETag; PUT needs a matching If-Match: 428 without one, 412 with
/// a stale one, 200 and a new ETag with the current one.
pub async fn preconditions_are_enforced(make: MakeRouter) {
    let app = make(seed());
    let read = call(&app, "GET", "/documents/terms", None, None).await;
    assert_eq!(
        read.status,
        StatusCode::OK,
        "{}",
        t!("spec-01-7-get-seeded")
    );
    assert_eq!(
        read.body,
        json!({"text": "first draft"}),
        "{}",
        t!("spec-01-7-get-content")
    );
    let etag = read
        .etag
        .unwrap_or_else(|| panic!("{}", t!("spec-01-7-etag-header")));
    assert!(
        etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
        "{}",
        t!("spec-01-7-etag-quoted", got = etag.as_str())
    );

    assert_problem(
        &call(&app, "GET", "/documents/nope", None, None).await,
        StatusCode::NOT_FOUND,
        &t!("spec-01-7-get-unknown"),
    );

    let edit = r#"{"text": "second draft"}"#;
    assert_problem(
        &call(&app, "PUT", "/documents/terms", None, Some(edit)).await,
        StatusCode::PRECONDITION_REQUIRED,
        &t!("spec-01-7-put-no-if-match"),
    );
    assert_problem(
        &call(
            &app,
            "PUT",
            "/documents/terms",
            Some("\"no-such-version\""),
            Some(edit),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
        &t!("spec-01-7-put-stale"),
    );
    assert_problem(
        &call(
            &app,
            "PUT",
            "/documents/terms",
            Some(&etag),
            Some("{not json"),
        )
        .await,
        StatusCode::BAD_REQUEST,
        &t!("spec-01-7-put-malformed"),
    );
    assert_problem(
        &call(&app, "PUT", "/documents/nope", Some(&etag), Some(edit)).await,
        StatusCode::NOT_FOUND,
        &t!("spec-01-7-put-unknown"),
    );
    let unchanged = call(&app, "GET", "/documents/terms", None, None).await;
    assert_eq!(
        (unchanged.body, unchanged.etag.as_deref()),
        (json!({"text": "first draft"}), Some(etag.as_str())),
        "{}",
        t!("spec-01-7-refused-unchanged")
    );

    let written = call(&app, "PUT", "/documents/terms", Some(&etag), Some(edit)).await;
    assert_eq!(
        written.status,
        StatusCode::OK,
        "{}",
        t!("spec-01-7-put-current")
    );
    let new_etag = written
        .etag
        .unwrap_or_else(|| panic!("{}", t!("spec-01-7-new-etag")));
    assert_ne!(new_etag, etag, "{}", t!("spec-01-7-etag-changes"));
    let read = call(&app, "GET", "/documents/terms", None, None).await;
    assert_eq!(read.body, json!({"text": "second draft"}));
    assert_eq!(
        read.etag.as_deref(),
        Some(new_etag.as_str()),
        "{}",
        t!("spec-01-7-get-new-etag")
    );

    assert_problem(
        &call(
            &app,
            "PUT",
            "/documents/terms",
            Some(&etag),
            Some(r#"{"text": "lost"}"#),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
        &t!("spec-01-7-put-lost-update"),
    );
    let any = call(
        &app,
        "PUT",
        "/documents/terms",
        Some("*"),
        Some(r#"{"text": "third"}"#),
    )
    .await;
    assert_eq!(
        any.status,
        StatusCode::OK,
        "{}",
        t!("spec-01-7-if-match-any")
    );
}

/// 50 clients read the same version and all PUT at once: exactly one wins, the
/// other 49 get 412, and the document holds the winner's content. Twenty rounds:
/// a write that checks and then writes after an await loses its race to luck in
/// some rounds, never in all of them.
pub async fn one_of_many_racing_writers_wins(make: MakeRouter) {
    const WRITERS: usize = 50;
    const ROUNDS: usize = 20;
    let app = make(seed());
    for round in 1..=ROUNDS {
        let etag = call(&app, "GET", "/documents/terms", None, None)
            .await
            .etag
            .unwrap_or_else(|| panic!("{}", t!("spec-01-7-etag-header")));
        let replies = together(WRITERS, |i| {
            let (app, etag) = (app.clone(), etag.clone());
            async move {
                let body = format!(r#"{{"text": "round {round}, draft by writer {i}"}}"#);
                (
                    i,
                    call(&app, "PUT", "/documents/terms", Some(&etag), Some(&body))
                        .await
                        .status,
                )
            }
        })
        .await;
        let winners: Vec<usize> = replies
            .iter()
            .filter(|(_, s)| *s == StatusCode::OK)
            .map(|(i, _)| *i)
            .collect();
        let refused = replies
            .iter()
            .filter(|(_, s)| *s == StatusCode::PRECONDITION_FAILED)
            .count();
        assert!(
            winners.len() == 1 && refused == WRITERS - 1,
            "{}",
            t!(
                "spec-01-7-racing",
                round = round,
                writers = WRITERS,
                expected_refused = WRITERS - 1,
                successes = winners.len(),
                refused = refused,
                overwritten = winners.len().saturating_sub(1)
            )
        );
        let read = call(&app, "GET", "/documents/terms", None, None).await;
        assert_eq!(
            read.body,
            json!({"text": format!("round {round}, draft by writer {}", winners[0])}),
            "{}",
            t!("spec-01-7-winner-content", round = round)
        );
    }
}
