//! Spec of 04.4, driving a small router behind the layer under test in memory
//! (`tower::ServiceExt::oneshot`), on tokio's paused clock. Each request
//! carries the peer's address as axum's `ConnectInfo`, as `axum::serve` with
//! `into_make_service_with_connect_info` gives it. The rate-limit fields are
//! read with an RFC 8941 parser ([`super::sf`]), not compared as text.

use super::sf::{Bare, Item, parse_list};
use super::together;
use crate::layer::{
    FORWARDED_FOR, LimitConfig, POLICY_HEADER, Policy, RATELIMIT_HEADER, USER_HEADER,
};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use http_body_util::BodyExt;
use racecourse_kit::i18n::t;
use racecourse_kit::spec::OrFail;
use racecourse_kit::spec::{Check, Runtime};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::advance;
use tower::ServiceExt;

/// Puts the layer under test, with this configuration, on a router.
pub type Wrap = fn(Router, Arc<LimitConfig>) -> Router;

/// The checks of 04.4.
pub fn checks(wrap: Wrap) -> Vec<Check> {
    vec![
        Check::new(
            "headers_on_every_answer",
            Runtime::PausedClock,
            headers_on_every_answer(wrap),
        ),
        Check::new(
            "the_excess_gets_429",
            Runtime::PausedClock,
            the_excess_gets_429(wrap),
        ),
        Check::new(
            "each_endpoint_has_its_own_policy",
            Runtime::PausedClock,
            each_endpoint_has_its_own_policy(wrap),
        ),
        Check::new(
            "users_have_their_own_quota",
            Runtime::PausedClock,
            users_have_their_own_quota(wrap),
        ),
        Check::new(
            "a_spoofed_forwarded_for_gains_nothing",
            Runtime::PausedClock,
            a_spoofed_forwarded_for_gains_nothing(wrap),
        ),
        Check::new(
            "clients_behind_the_proxy_are_told_apart",
            Runtime::PausedClock,
            clients_behind_the_proxy_are_told_apart(wrap),
        ),
        Check::new(
            "concurrent_requests_never_exceed",
            Runtime::Threads,
            concurrent_requests_never_exceed(wrap),
        ),
    ]
}

/// The configuration every check uses: 5 a minute by default, 2 per 10 s for
/// `/search`, and two trusted proxies.
pub fn config() -> Arc<LimitConfig> {
    Arc::new(LimitConfig {
        default: Policy::new("per-user", 5, Duration::from_secs(60)),
        endpoints: vec![(
            "/search".into(),
            Policy::new("search", 2, Duration::from_secs(10)),
        )],
        trusted_proxies: vec![ip("10.0.0.1"), ip("10.0.0.2")],
    })
}

fn ip(s: &str) -> IpAddr {
    s.parse().or_fail(|| t!("spec-04-4-ip"))
}

/// The app behind the layer: two routes that count the requests reaching them.
struct App {
    router: Router,
    handled: Arc<AtomicU64>,
}

impl App {
    fn new(wrap: Wrap) -> App {
        let handled = Arc::new(AtomicU64::new(0));
        async fn ok(State(handled): State<Arc<AtomicU64>>) -> &'static str {
            handled.fetch_add(1, Ordering::SeqCst);
            "ok"
        }
        let router = Router::new()
            .route("/items", get(ok))
            .route("/search", get(ok))
            .with_state(handled.clone());
        App {
            router: wrap(router, config()),
            handled,
        }
    }

    fn handled(&self) -> u64 {
        self.handled.load(Ordering::SeqCst)
    }

    /// `GET path` from `peer`, as `user` if given, with `X-Forwarded-For` if given.
    async fn get(&self, path: &str, peer: &str, user: Option<&str>, xff: Option<&str>) -> Response {
        let mut request = Request::get(path);
        if let Some(user) = user {
            request = request.header(USER_HEADER, user);
        }
        if let Some(xff) = xff {
            request = request.header(FORWARDED_FOR, xff);
        }
        let mut request = request
            .body(Body::empty())
            .or_fail(|| t!("spec-04-4-request"));
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip(peer), 40000)));
        self.router
            .clone()
            .oneshot(request)
            .await
            .or_fail(|| t!("spec-04-4-infallible"))
    }

    async fn as_user(&self, path: &str, user: &str) -> Response {
        self.get(path, "203.0.113.50", Some(user), None).await
    }
}

/// The single item of a rate-limit field, parsed, or a failure saying why.
fn field(response: &Response, name: &str, what: &str) -> Item {
    let value = response
        .headers()
        .get(name)
        .unwrap_or_else(|| {
            panic!(
                "{}",
                t!(
                    "spec-04-4-no-field",
                    what = what,
                    status = response.status().to_string(),
                    name = name
                )
            )
        })
        .to_str()
        .unwrap_or_else(|_| panic!("{}", t!("spec-04-4-not-ascii", what = what, name = name)));
    let mut items = parse_list(value).unwrap_or_else(|e| {
        panic!(
            "{}",
            t!("spec-04-4-not-sf", what = what, name = name, error = e)
        )
    });
    assert!(
        items.len() == 1,
        "{}",
        t!(
            "spec-04-4-members",
            what = what,
            name = name,
            value = value,
            members = items.len()
        )
    );
    items.remove(0)
}

/// Checks both fields: the policy `name` with quota `q` per `w` seconds, and
/// `r` remaining with `t` seconds to go.
fn expect_fields(
    response: &Response,
    what: &str,
    name: &str,
    (q, w): (i64, i64),
    (r, t): (i64, i64),
) {
    for header in [POLICY_HEADER, RATELIMIT_HEADER] {
        let item = field(response, header, what);
        assert!(
            item.value == Bare::String(name.into()),
            "{}",
            t!(
                "spec-04-4-not-string",
                what = what,
                header = header,
                item = format!("{:?}", item.value),
                name = name
            )
        );
    }
    let policy = field(response, POLICY_HEADER, what);
    let (got_q, got_w) = (policy.int("q"), policy.int("w"));
    assert!(
        got_q == Some(q) && got_w == Some(w),
        "{}",
        t!(
            "spec-04-4-policy",
            what = what,
            got_q = format!("{got_q:?}"),
            got_w = format!("{got_w:?}"),
            q = q,
            w = w,
            name = name
        )
    );
    let limit = field(response, RATELIMIT_HEADER, what);
    let (got_r, got_t) = (limit.int("r"), limit.int("t"));
    assert!(
        got_r == Some(r) && got_t == Some(t),
        "{}",
        t!(
            "spec-04-4-ratelimit",
            what = what,
            got_r = format!("{got_r:?}"),
            got_t = format!("{got_t:?}"),
            r = r,
            t = t,
            name = name
        )
    );
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// An allowed answer carries both fields, and they follow the window.
pub async fn headers_on_every_answer(wrap: Wrap) {
    let app = App::new(wrap);
    let response = app.as_user("/items", "alice").await;
    assert!(
        response.status() == StatusCode::OK,
        "{}",
        t!(
            "spec-04-4-first-status",
            status = response.status().to_string()
        )
    );
    expect_fields(
        &response,
        &t!("spec-04-4-what-alice-first"),
        "per-user",
        (5, 60),
        (4, 60),
    );
    advance(secs(17)).await;
    let response = app.as_user("/items", "alice").await;
    expect_fields(
        &response,
        &t!("spec-04-4-what-alice-second"),
        "per-user",
        (5, 60),
        (3, 43),
    );
}

/// The sixth request in a minute gets 429 problem+json with Retry-After and
/// both fields, and the handler does not run; the next window lets it in.
pub async fn the_excess_gets_429(wrap: Wrap) {
    let app = App::new(wrap);
    for _ in 0..5 {
        app.as_user("/items", "alice").await;
    }
    advance(secs(17)).await;
    let response = app.as_user("/items", "alice").await;
    assert!(
        response.status() == StatusCode::TOO_MANY_REQUESTS,
        "{}",
        t!("spec-04-4-sixth", status = response.status().to_string())
    );
    assert!(
        app.handled() == 5,
        "{}",
        t!("spec-04-4-handler-ran", handled = app.handled())
    );
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    assert!(
        retry_after.as_deref() == Some("43"),
        "{}",
        t!("spec-04-4-retry-after", got = format!("{retry_after:?}"))
    );
    expect_fields(
        &response,
        &t!("spec-04-4-what-429"),
        "per-user",
        (5, 60),
        (0, 43),
    );
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    assert!(
        content_type.as_ref().and_then(|v| v.to_str().ok())
            == Some(racecourse_kit::problem::CONTENT_TYPE),
        "{}",
        t!("spec-04-4-content-type", got = format!("{content_type:?}"))
    );
    let body = response
        .into_body()
        .collect()
        .await
        .or_fail(|| t!("spec-04-4-body"))
        .to_bytes();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(|_| {
        panic!(
            "{}",
            t!(
                "spec-04-4-not-json",
                body = String::from_utf8_lossy(&body).into_owned()
            )
        )
    });
    assert!(
        problem["status"] == 429,
        "{}",
        t!(
            "spec-04-4-problem-status",
            status = problem["status"].to_string()
        )
    );
    advance(secs(43)).await;
    let response = app.as_user("/items", "alice").await;
    assert!(
        response.status() == StatusCode::OK,
        "{}",
        t!(
            "spec-04-4-new-window",
            status = response.status().to_string()
        )
    );
    expect_fields(
        &response,
        &t!("spec-04-4-what-next-window"),
        "per-user",
        (5, 60),
        (4, 60),
    );
}

/// `/search` has a policy of its own, counted apart from the default one.
pub async fn each_endpoint_has_its_own_policy(wrap: Wrap) {
    let app = App::new(wrap);
    let first = app.as_user("/search", "alice").await;
    expect_fields(
        &first,
        &t!("spec-04-4-what-first-search"),
        "search",
        (2, 10),
        (1, 10),
    );
    app.as_user("/search", "alice").await;
    let third = app.as_user("/search", "alice").await;
    assert!(
        third.status() == StatusCode::TOO_MANY_REQUESTS,
        "{}",
        t!(
            "spec-04-4-third-search",
            status = third.status().to_string()
        )
    );
    expect_fields(
        &third,
        &t!("spec-04-4-what-refused-search"),
        "search",
        (2, 10),
        (0, 10),
    );
    let items = app.as_user("/items", "alice").await;
    assert!(
        items.status() == StatusCode::OK,
        "{}",
        t!("spec-04-4-own-policy", status = items.status().to_string())
    );
    expect_fields(
        &items,
        &t!("spec-04-4-what-items-after-searches"),
        "per-user",
        (5, 60),
        (4, 60),
    );
}

/// Two users behind one address have a quota each; so has an anonymous
/// client from that address.
pub async fn users_have_their_own_quota(wrap: Wrap) {
    let app = App::new(wrap);
    for _ in 0..6 {
        app.as_user("/items", "alice").await;
    }
    let bob = app.as_user("/items", "bob").await;
    assert!(
        bob.status() == StatusCode::OK,
        "{}",
        t!("spec-04-4-bob", status = bob.status().to_string())
    );
    expect_fields(
        &bob,
        &t!("spec-04-4-what-bob-first"),
        "per-user",
        (5, 60),
        (4, 60),
    );
    let anonymous = app.get("/items", "203.0.113.50", None, None).await;
    assert!(
        anonymous.status() == StatusCode::OK,
        "{}",
        t!(
            "spec-04-4-anonymous",
            status = anonymous.status().to_string()
        )
    );
    expect_fields(
        &anonymous,
        &t!("spec-04-4-what-anonymous-first"),
        "per-user",
        (5, 60),
        (4, 60),
    );
}

/// Counts the 200s among requests from `peer`, each with the X-Forwarded-For
/// `xff(i)`.
async fn allowed_with(app: &App, peer: &str, xff: impl Fn(usize) -> String) -> usize {
    let mut n = 0;
    for i in 0..10 {
        let header = xff(i);
        if app.get("/items", peer, None, Some(&header)).await.status() == StatusCode::OK {
            n += 1;
        }
    }
    n
}

/// A client that writes a new X-Forwarded-For on each request gets no more
/// than its quota, whether it talks to us directly or through our proxy.
pub async fn a_spoofed_forwarded_for_gains_nothing(wrap: Wrap) {
    let app = App::new(wrap);
    let direct = allowed_with(&app, "198.51.100.7", |i| format!("192.0.2.{i}")).await;
    assert!(
        direct == 5,
        "{}",
        t!("spec-04-4-spoofed-direct", allowed = direct)
    );
    let proxied = allowed_with(&app, "10.0.0.1", |i| format!("192.0.2.{i}, 203.0.113.9")).await;
    assert!(
        proxied == 5,
        "{}",
        t!("spec-04-4-spoofed-proxied", allowed = proxied)
    );
}

/// Behind the trusted proxies, two clients are two clients, and the proxies'
/// own addresses are skipped.
pub async fn clients_behind_the_proxy_are_told_apart(wrap: Wrap) {
    let app = App::new(wrap);
    let one = allowed_with(&app, "10.0.0.1", |_| "203.0.113.1".into()).await;
    assert!(one == 5, "{}", t!("spec-04-4-one-client", allowed = one));
    let two = app
        .get("/items", "10.0.0.1", None, Some("203.0.113.2"))
        .await;
    assert!(
        two.status() == StatusCode::OK,
        "{}",
        t!("spec-04-4-two-clients", status = two.status().to_string())
    );
    let chained = allowed_with(&app, "10.0.0.1", |_| "203.0.113.3, 10.0.0.2".into()).await;
    assert!(
        chained == 5,
        "{}",
        t!("spec-04-4-chained", allowed = chained)
    );
}

/// 30 requests at once from one user with a quota of 5: exactly 5 reach the
/// handler.
pub async fn concurrent_requests_never_exceed(wrap: Wrap) {
    for round in 0..20 {
        let app = Arc::new(App::new(wrap));
        let statuses = together(30, |_| {
            let app = app.clone();
            async move { app.as_user("/items", "carol").await.status() }
        })
        .await;
        let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        assert!(
            ok == 5 && app.handled() == 5,
            "{}",
            t!(
                "spec-04-4-concurrent",
                round = round,
                ok = ok,
                handled = app.handled()
            )
        );
    }
}
