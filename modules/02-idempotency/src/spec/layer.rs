//! Spec of 02.2, driving a small payment router behind the layer under test
//! in memory, with `tower::ServiceExt::oneshot`. The layer is backed by
//! [`RefStore`], a store of this crate, so that 02.2 does not depend on the
//! student's 02.1.

use super::together;
use crate::layer::{KEY_HEADER, REPLAYED_HEADER, USER_HEADER, problems};
use crate::store::{Begin, IdempotencyStore, StoredResponse};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http_body_util::BodyExt;
use racecourse_kit::i18n::t;
use racecourse_kit::problem::{Json, Problem};
use racecourse_kit::spec::{Check, Runtime};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt;

/// Puts the layer under test, over a new store, on a router.
pub type Wrap = fn(Router) -> Router;

/// The checks of 02.2.
pub fn checks(wrap: Wrap) -> Vec<Check> {
    vec![
        Check::new(
            "bad_keys_and_users_get_400",
            Runtime::PausedClock,
            bad_keys_and_users_get_400(wrap),
        ),
        Check::new(
            "a_completed_request_is_replayed",
            Runtime::PausedClock,
            a_completed_request_is_replayed(wrap),
        ),
        Check::new(
            "a_request_in_flight_gets_409",
            Runtime::PausedClock,
            a_request_in_flight_gets_409(wrap),
        ),
        Check::new(
            "a_reused_key_gets_422",
            Runtime::PausedClock,
            a_reused_key_gets_422(wrap),
        ),
        Check::new(
            "a_failed_request_is_not_stored",
            Runtime::PausedClock,
            a_failed_request_is_not_stored(wrap),
        ),
        Check::new(
            "users_have_their_own_keys",
            Runtime::PausedClock,
            users_have_their_own_keys(wrap),
        ),
        Check::new(
            "other_methods_pass_through",
            Runtime::PausedClock,
            other_methods_pass_through(wrap),
        ),
        Check::new(
            "concurrent_duplicates_run_once",
            Runtime::Threads,
            concurrent_duplicates_run_once(wrap),
        ),
    ]
}

/// The store behind the layer in the spec: right, in memory, without expiry
/// (the spec of 02.1 checks expiry; this one checks the layer).
pub struct RefStore {
    entries: Mutex<HashMap<String, (String, Option<StoredResponse>)>>,
}

impl IdempotencyStore for RefStore {
    fn new(_retention: Duration, _lease: Duration) -> Self {
        RefStore {
            entries: Mutex::new(HashMap::new()),
        }
    }

    async fn begin(&self, key: &str, fingerprint: &str) -> Begin {
        let mut entries = self.entries.lock().unwrap();
        match entries.get(key) {
            None => {
                entries.insert(key.to_string(), (fingerprint.to_string(), None));
                Begin::New
            }
            Some((f, _)) if f != fingerprint => Begin::Mismatch,
            Some((_, None)) => Begin::InFlight,
            Some((_, Some(response))) => Begin::Replay(response.clone()),
        }
    }

    async fn complete(&self, key: &str, response: StoredResponse) {
        if let Some(entry) = self.entries.lock().unwrap().get_mut(key) {
            entry.1 = Some(response);
        }
    }

    async fn abandon(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap();
        if entries.get(key).is_some_and(|e| e.1.is_none()) {
            entries.remove(key);
        }
    }
}

/// A new, empty [`RefStore`], for [`crate::spec!`].
pub fn store() -> Arc<RefStore> {
    Arc::new(RefStore::new(
        Duration::from_secs(3600),
        Duration::from_secs(30),
    ))
}

/// The payment router behind the layer, and what its handlers did.
struct TestApp {
    router: Router,
    charges: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    /// POSTs that reached the handler.
    started: AtomicU64,
    /// Charges made.
    made: AtomicU64,
    /// GETs that reached the handler.
    reads: AtomicU64,
}

#[derive(serde::Deserialize)]
struct Charge {
    amount: u64,
}

/// How long a charge takes.
const CHARGE_TIME: Duration = Duration::from_millis(20);
/// An amount the card network fails on, with a 502 that is stored.
const NETWORK_DOWN: u64 = 13;
/// An amount that takes a minute, to hold a request in flight.
const SLOW: u64 = 77;

async fn charge(State(counts): State<Arc<Counts>>, Json(c): Json<Charge>) -> Response {
    counts.started.fetch_add(1, Ordering::SeqCst);
    if c.amount == 0 {
        return Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount must be more than zero",
        )
        .into_response();
    }
    let time = if c.amount == SLOW {
        Duration::from_secs(60)
    } else {
        CHARGE_TIME
    };
    tokio::time::sleep(time).await;
    if c.amount == NETWORK_DOWN {
        return Problem::new(StatusCode::BAD_GATEWAY, "the card network is down").into_response();
    }
    let n = counts.made.fetch_add(1, Ordering::SeqCst) + 1;
    let mut response = (
        StatusCode::CREATED,
        axum::Json(json!({ "charge": format!("ch_{n}"), "amount": c.amount })),
    )
        .into_response();
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/charges/ch_{n}")).unwrap(),
    );
    response
}

async fn count(State(counts): State<Arc<Counts>>) -> Response {
    counts.reads.fetch_add(1, Ordering::SeqCst);
    axum::Json(json!({ "charges": counts.made.load(Ordering::SeqCst) })).into_response()
}

fn app(wrap: Wrap) -> TestApp {
    let charges = Arc::new(Counts::default());
    let router = Router::new()
        .route("/charges", post(charge).get(count))
        .route("/refunds", post(charge))
        .with_state(charges.clone());
    TestApp {
        router: wrap(router),
        charges,
    }
}

/// What the spec looks at in a response.
#[derive(Debug, Clone, PartialEq)]
struct Reply {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    replayed: Option<String>,
    retry_after: Option<String>,
    body: Value,
}

/// A request: POST `path` by `user` with `key` and `{"amount": amount}`.
struct Post<'a> {
    path: &'a str,
    user: Option<&'a str>,
    key: Option<HeaderValue>,
    amount: u64,
}

fn post_as<'a>(user: &'a str, key: &str, amount: u64) -> Post<'a> {
    Post {
        path: "/charges",
        user: Some(user),
        key: Some(HeaderValue::from_str(key).unwrap()),
        amount,
    }
}

fn alice(key: &str, amount: u64) -> Post<'static> {
    post_as("alice", key, amount)
}

impl TestApp {
    async fn post(&self, p: Post<'_>) -> Reply {
        let mut request = Request::post(p.path).header(header::CONTENT_TYPE, "application/json");
        if let Some(user) = p.user {
            request = request.header(USER_HEADER, user);
        }
        if let Some(key) = p.key {
            request = request.header(KEY_HEADER, key);
        }
        let body = Body::from(json!({ "amount": p.amount }).to_string());
        send(&self.router, request.body(body).unwrap()).await
    }

    async fn get(&self, key: &str) -> Reply {
        let request = Request::get("/charges")
            .header(USER_HEADER, "alice")
            .header(KEY_HEADER, key)
            .body(Body::empty())
            .unwrap();
        send(&self.router, request).await
    }

    fn started(&self) -> u64 {
        self.charges.started.load(Ordering::SeqCst)
    }
}

async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let (location, content_type, replayed, retry_after) = {
        let text = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap_or("(not text)").to_string())
        };
        (
            text("location"),
            text("content-type"),
            text(REPLAYED_HEADER),
            text("retry-after"),
        )
    };
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    Reply {
        status,
        location,
        content_type,
        replayed,
        retry_after,
        body,
    }
}

/// Asserts that `reply` is `problem`, as problem+json.
fn assert_problem(reply: &Reply, problem: Problem, what: &str) {
    assert_eq!(
        reply.status,
        problem.status,
        "{}",
        t!(
            "spec-02-2-problem-status",
            what = what,
            expected = problem.status,
            got = reply.status,
            body = reply.body.to_string()
        )
    );
    assert_eq!(
        reply.content_type.as_deref(),
        Some(racecourse_kit::problem::CONTENT_TYPE),
        "{}",
        t!("spec-02-2-problem-type", what = what)
    );
    assert_eq!(
        reply.body,
        serde_json::to_value(&problem).unwrap(),
        "{}",
        t!("spec-02-2-problem-body", what = what)
    );
}

/// No user, no key, an empty, too long, control or non-ASCII key: 400, the
/// handler never runs. Both key forms (bare and quoted) are accepted.
pub async fn bad_keys_and_users_get_400(wrap: Wrap) {
    let app = app(wrap);
    let no_user = Post {
        user: None,
        ..alice("k1", 10)
    };
    assert_problem(
        &app.post(no_user).await,
        problems::missing_user(),
        &t!("spec-02-2-no-user"),
    );
    let no_key = Post {
        key: None,
        ..alice("k1", 10)
    };
    assert_problem(
        &app.post(no_key).await,
        problems::invalid_key(),
        &t!("spec-02-2-no-key"),
    );
    let long = "k".repeat(256);
    let bad: [(String, HeaderValue); 5] = [
        (t!("spec-02-2-empty-key"), HeaderValue::from_static("")),
        (
            t!("spec-02-2-empty-quoted-key"),
            HeaderValue::from_static("\"\""),
        ),
        (
            t!("spec-02-2-key-256"),
            HeaderValue::from_str(&long).unwrap(),
        ),
        (t!("spec-02-2-key-tab"), HeaderValue::from_static("a\tb")),
        (
            t!("spec-02-2-key-non-ascii"),
            HeaderValue::from_bytes("caf\u{e9}".as_bytes()).unwrap(),
        ),
    ];
    for (what, key) in bad {
        let reply = app
            .post(Post {
                key: Some(key),
                ..alice("k1", 10)
            })
            .await;
        assert_problem(&reply, problems::invalid_key(), &what);
    }
    assert_eq!(app.started(), 0, "{}", t!("spec-02-2-400-no-handler"));
    let max = "k".repeat(255);
    for (what, key) in [
        (t!("spec-02-2-key-255"), max.as_str()),
        (t!("spec-02-2-quoted-key"), "\"abc\""),
        (t!("spec-02-2-bare-key"), "def"),
    ] {
        let reply = app.post(alice(key, 10)).await;
        assert_eq!(
            reply.status,
            201,
            "{}",
            t!(
                "spec-02-2-accepted",
                what = what,
                status = reply.status,
                body = reply.body.to_string()
            )
        );
    }
}

/// A retry of a completed request gets its status, headers and body, with
/// `Idempotent-Replayed: true`, errors included, and the handler does not run.
pub async fn a_completed_request_is_replayed(wrap: Wrap) {
    let app = app(wrap);
    let first = app.post(alice("order-1", 10)).await;
    assert_eq!(
        first.status,
        201,
        "{}",
        t!("spec-02-2-new-key-runs", got = format!("{first:?}"))
    );
    assert_eq!(first.replayed, None, "{}", t!("spec-02-2-first-not-replay"));
    assert!(
        first.location.is_some() && first.content_type.as_deref() == Some("application/json"),
        "{}",
        t!("spec-02-2-first-headers", got = format!("{first:?}"))
    );
    for attempt in [t!("spec-02-1-a-retry"), t!("spec-02-1-second-retry")] {
        let retry = app.post(alice("order-1", 10)).await;
        assert_eq!(
            retry.replayed.as_deref(),
            Some("true"),
            "{}",
            t!(
                "spec-02-2-replayed-header",
                attempt = attempt,
                got = format!("{retry:?}")
            )
        );
        assert_eq!(
            Reply {
                replayed: None,
                ..retry.clone()
            },
            first,
            "{}",
            t!("spec-02-2-replays-all", attempt = attempt)
        );
    }
    let quoted = app.post(alice("\"order-1\"", 10)).await;
    assert_eq!(
        (quoted.status, quoted.replayed.as_deref(), &quoted.body),
        (201, Some("true"), &first.body),
        "{}",
        t!("spec-02-2-quoted-same")
    );

    let failed = app.post(alice("order-2", NETWORK_DOWN)).await;
    assert_eq!(
        failed.status,
        502,
        "{}",
        t!("spec-02-2-handler-502", got = format!("{failed:?}"))
    );
    let retry = app.post(alice("order-2", NETWORK_DOWN)).await;
    assert_eq!(
        (retry.status, retry.replayed.as_deref(), &retry.body),
        (502, Some("true"), &failed.body),
        "{}",
        t!("spec-02-2-5xx-replayed")
    );
    assert_eq!(
        app.started(),
        2,
        "{}",
        t!("spec-02-2-ran-twice", runs = app.started())
    );
}

/// While the first request with a key is at work, a retry gets 409 with
/// `Retry-After`, and another body 422; neither is stored.
pub async fn a_request_in_flight_gets_409(wrap: Wrap) {
    let app = Arc::new(app(wrap));
    let first = {
        let app = app.clone();
        tokio::spawn(async move { app.post(alice("slow", SLOW)).await })
    };
    while app.started() == 0 {
        if first.is_finished() {
            match first.await {
                Ok(reply) => {
                    panic!(
                        "{}",
                        t!("spec-02-2-first-reaches", got = format!("{reply:?}"))
                    )
                }
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
        tokio::task::yield_now().await;
    }
    let retry = app.post(alice("slow", SLOW)).await;
    assert_problem(
        &retry,
        problems::in_flight("slow"),
        &t!("spec-02-2-retry-at-work"),
    );
    assert_eq!(
        retry.retry_after.as_deref(),
        Some(crate::layer::RETRY_AFTER_SECS.to_string().as_str()),
        "{}",
        t!(
            "spec-02-2-retry-after",
            secs = crate::layer::RETRY_AFTER_SECS
        )
    );
    assert_problem(
        &app.post(alice("slow", 99)).await,
        problems::reused_key("slow"),
        &t!("spec-02-2-other-body-at-work"),
    );
    let first = first.await.unwrap();
    assert_eq!(
        first.status,
        201,
        "{}",
        t!("spec-02-2-first-completes", got = format!("{first:?}"))
    );
    let after = app.post(alice("slow", SLOW)).await;
    assert_eq!(
        (after.status, after.replayed.as_deref()),
        (201, Some("true")),
        "{}",
        t!("spec-02-2-409-not-stored")
    );
    assert_eq!(app.started(), 1, "{}", t!("spec-02-2-runs-once"));
}

/// The key reused with another body or another path: 422.
pub async fn a_reused_key_gets_422(wrap: Wrap) {
    let app = app(wrap);
    assert_eq!(app.post(alice("k", 10)).await.status, 201);
    assert_problem(
        &app.post(alice("k", 99)).await,
        problems::reused_key("k"),
        &t!("spec-02-2-reused-body"),
    );
    let refund = Post {
        path: "/refunds",
        ..alice("k", 10)
    };
    assert_problem(
        &app.post(refund).await,
        problems::reused_key("k"),
        &t!("spec-02-2-reused-path"),
    );
    assert_eq!(app.started(), 1, "{}", t!("spec-02-2-422-no-handler"));
}

/// A request the handler refused (4xx) or the layer refused (400) is not
/// stored: the client fixes it and retries with the same key.
pub async fn a_failed_request_is_not_stored(wrap: Wrap) {
    let app = app(wrap);
    let zero = app.post(alice("k", 0)).await;
    assert_eq!(
        zero.status,
        422,
        "{}",
        t!("spec-02-2-refuses-zero", got = format!("{zero:?}"))
    );
    let fixed = app.post(alice("k", 10)).await;
    assert_eq!(
        (fixed.status, fixed.replayed.as_deref()),
        (201, None),
        "{}",
        t!("spec-02-2-refused-not-stored", got = format!("{fixed:?}"))
    );
    let no_user = Post {
        user: None,
        ..alice("k2", 10)
    };
    assert_eq!(app.post(no_user).await.status, 400);
    let fixed = app.post(alice("k2", 10)).await;
    assert_eq!(
        (fixed.status, fixed.replayed.as_deref()),
        (201, None),
        "{}",
        t!("spec-02-2-400-not-stored", got = format!("{fixed:?}"))
    );
}

/// Two users with one key each get their own answer.
pub async fn users_have_their_own_keys(wrap: Wrap) {
    let app = app(wrap);
    let a = app.post(post_as("alice", "order-1", 10)).await;
    let b = app.post(post_as("bob", "order-1", 10)).await;
    assert_eq!(a.status, 201);
    assert!(
        b.status == 201 && b.replayed.is_none() && b.body != a.body,
        "{}",
        t!("spec-02-2-bob-own", got = format!("{b:?}"))
    );
    let again = app.post(post_as("alice", "order-1", 10)).await;
    assert_eq!(again.body, a.body, "{}", t!("spec-02-2-alice-retry"));
    assert_eq!(app.started(), 2, "{}", t!("spec-02-2-one-per-user"));
}

/// A GET is untouched: no key needed, never stored, never replayed.
pub async fn other_methods_pass_through(wrap: Wrap) {
    let app = app(wrap);
    let request = Request::get("/charges").body(Body::empty()).unwrap();
    let reply = send(&app.router, request).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        t!("spec-02-2-get-passes", got = format!("{reply:?}"))
    );
    for _ in 0..2 {
        let reply = app.get("read-1").await;
        assert_eq!(
            (reply.status, reply.replayed.as_deref()),
            (200, None),
            "{}",
            t!("spec-02-2-get-never-replayed")
        );
    }
    assert_eq!(
        app.charges.reads.load(Ordering::SeqCst),
        3,
        "{}",
        t!("spec-02-2-three-gets")
    );
}

const DUPLICATES: usize = 50;
const ROUNDS: usize = 5;

/// 50 identical requests start together, and each retries on 409: the handler
/// runs once and all 50 end with the same answer.
pub async fn concurrent_duplicates_run_once(wrap: Wrap) {
    let app = Arc::new(app(wrap));
    for round in 0..ROUNDS {
        let key = Arc::new(format!("dup-{round}"));
        let replies = together(DUPLICATES, |_| {
            let (app, key) = (app.clone(), key.clone());
            async move {
                loop {
                    let reply = app.post(alice(&key, 10)).await;
                    if reply.status != 409 {
                        return reply;
                    }
                    // A test client retries sooner than Retry-After says.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        })
        .await;
        let runs = app.started();
        assert!(
            runs == round as u64 + 1,
            "{}",
            t!(
                "spec-02-2-ran-handler",
                round = round,
                duplicates = DUPLICATES,
                runs = runs - round as u64
            )
        );
        let fresh = replies.iter().find(|r| r.replayed.is_none());
        let first = &fresh.unwrap_or(&replies[0]).body;
        let same = replies.iter().filter(|r| &r.body == first).count();
        assert!(
            same == DUPLICATES,
            "{}",
            t!(
                "spec-02-2-first-answer",
                round = round,
                same = same,
                duplicates = DUPLICATES
            )
        );
    }
}
