//! Spec of 05.3: 1000 requests at once against a router wearing the layers
//! under test, driven in memory with `tower::ServiceExt::oneshot`, on tokio's
//! paused clock, so that "fast" means no time at all and "within the timeout"
//! is exact.

use super::together;
use crate::protect::{Limits, RETRY_AFTER_SECS};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use racecourse_kit::i18n::t;
use racecourse_kit::problem::CONTENT_TYPE;
use racecourse_kit::spec::{Check, Runtime};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::time::Instant;
use tower::ServiceExt;

/// Puts the layers under test, with these limits, on a router.
pub type Wrap = fn(Router, Limits) -> Router;

/// The checks of 05.3.
pub fn checks(wrap: Wrap) -> Vec<Check> {
    vec![
        Check::new(
            "the_excess_gets_a_fast_503",
            Runtime::PausedClock,
            the_excess_gets_a_fast_503(wrap),
        ),
        Check::new(
            "a_hung_handler_times_out_and_frees_its_place",
            Runtime::PausedClock,
            a_hung_handler_times_out_and_frees_its_place(wrap),
        ),
        Check::new(
            "a_client_that_goes_away_frees_its_place",
            Runtime::PausedClock,
            a_client_that_goes_away_frees_its_place(wrap),
        ),
    ]
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// 50 inside, 50 more waiting for at most half a second, a second each.
pub const LIMITS: Limits = Limits {
    max_in_flight: 50,
    max_waiting: 50,
    max_wait: Duration::from_millis(500),
    timeout: Duration::from_secs(1),
};

/// How long `/slow` takes.
const WORK: Duration = Duration::from_millis(100);
const REQUESTS: usize = 1000;

/// `/slow` answers after 100 ms; `/hang` never does, and counts the
/// handlers still running (a timed-out handler must be dropped, not left
/// running).
fn app(wrap: Wrap, running: Arc<AtomicUsize>) -> Router {
    let routes = Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(WORK).await;
                "done"
            }),
        )
        .route(
            "/hang",
            get(|State(running): State<Arc<AtomicUsize>>| async move {
                let _running = Running::start(running);
                std::future::pending::<&str>().await
            }),
        )
        .with_state(running);
    wrap(routes, LIMITS)
}

struct Running(Arc<AtomicUsize>);

impl Running {
    fn start(count: Arc<AtomicUsize>) -> Running {
        count.fetch_add(1, Ordering::SeqCst);
        Running(count)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One answer: its status and how long it took, or `None` for no answer
/// within the longest any request may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Answer {
    status: u16,
    took: Duration,
}

/// Sends `n` GETs of `path` at once; the answers, counted by (status, time).
async fn burst(router: &Router, path: &'static str, n: usize) -> BTreeMap<Answer, usize> {
    let longest = LIMITS.max_wait + LIMITS.timeout;
    let answers = together(n, |_| {
        let router = router.clone();
        async move {
            let started = Instant::now();
            let request = Request::get(path).body(Body::empty()).unwrap();
            let Ok(response) =
                tokio::time::timeout(longest + ms(1000), router.oneshot(request)).await
            else {
                panic!(
                    "{}",
                    t!(
                        "spec-05-3-hangs",
                        path = path,
                        after = format!("{:?}", longest + ms(1000)),
                        max_wait = format!("{:?}", LIMITS.max_wait),
                        timeout = format!("{:?}", LIMITS.timeout)
                    )
                );
            };
            let response = response.unwrap();
            let status = response.status();
            if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::GATEWAY_TIMEOUT {
                let content_type = response.headers().get(header::CONTENT_TYPE);
                assert!(
                    content_type.is_some_and(|v| v == CONTENT_TYPE),
                    "{}",
                    t!(
                        "spec-05-3-content-type",
                        status = status.to_string(),
                        expected = CONTENT_TYPE,
                        got = format!("{content_type:?}")
                    )
                );
            }
            if status == StatusCode::SERVICE_UNAVAILABLE {
                let retry_after = response.headers().get(header::RETRY_AFTER);
                assert!(
                    retry_after.is_some_and(|v| v == RETRY_AFTER_SECS.to_string().as_str()),
                    "{}",
                    t!(
                        "spec-05-3-retry-after",
                        secs = RETRY_AFTER_SECS,
                        got = format!("{retry_after:?}")
                    )
                );
            }
            Answer {
                status: status.as_u16(),
                took: ms(started.elapsed().as_millis() as u64),
            }
        }
    })
    .await;
    let mut counts = BTreeMap::new();
    for answer in answers {
        *counts.entry(answer).or_insert(0) += 1;
    }
    counts
}

fn describe(counts: &BTreeMap<Answer, usize>) -> String {
    counts
        .iter()
        .map(|(a, n)| {
            t!(
                "spec-05-3-answers",
                count = *n,
                status = a.status,
                ms = a.took.as_millis() as u64
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn expect(counts: &BTreeMap<Answer, usize>, expected: &[(u16, u64, usize)], what: &str) {
    let wanted: BTreeMap<Answer, usize> = expected
        .iter()
        .map(|(status, took, n)| {
            (
                Answer {
                    status: *status,
                    took: ms(*took),
                },
                *n,
            )
        })
        .collect();
    assert!(
        *counts == wanted,
        "{}",
        t!(
            "spec-05-3-expected",
            what = what,
            expected = describe(&wanted),
            got = describe(counts)
        )
    );
}

/// 1000 requests at once, 100 ms each: 50 run, 50 wait and run next, 900 get
/// 503 at once.
pub async fn the_excess_gets_a_fast_503(wrap: Wrap) {
    let router = app(wrap, Arc::new(AtomicUsize::new(0)));
    let counts = burst(&router, "/slow", REQUESTS).await;
    expect(
        &counts,
        &[(200, 100, 50), (200, 200, 50), (503, 0, 900)],
        &t!("spec-05-3-burst-slow"),
    );
}

/// 1000 requests at once to a handler that never answers: 50 get 504 after
/// the timeout, 50 wait their most and get 503, 900 get 503 at once; no
/// handler is left running, and the places are free again afterwards.
pub async fn a_hung_handler_times_out_and_frees_its_place(wrap: Wrap) {
    let running = Arc::new(AtomicUsize::new(0));
    let router = app(wrap, running.clone());
    let counts = burst(&router, "/hang", REQUESTS).await;
    expect(
        &counts,
        &[(503, 0, 900), (503, 500, 50), (504, 1000, 50)],
        &t!("spec-05-3-burst-hang"),
    );
    let still = running.load(Ordering::SeqCst);
    assert!(
        still == 0,
        "{}",
        t!("spec-05-3-still-running", still = still)
    );
    let counts = burst(&router, "/slow", 100).await;
    expect(
        &counts,
        &[(200, 100, 50), (200, 200, 50)],
        &t!("spec-05-3-timed-out-places-free"),
    );
}

/// 100 clients send a request that hangs (50 get in, 50 wait) and go away
/// after 100 ms, before any timeout: their handlers stop and their places,
/// inside and waiting, are free again at once.
pub async fn a_client_that_goes_away_frees_its_place(wrap: Wrap) {
    let running = Arc::new(AtomicUsize::new(0));
    let router = app(wrap, running.clone());
    let clients: Vec<_> = (0..100)
        .map(|_| {
            let request = Request::get("/hang").body(Body::empty()).unwrap();
            tokio::spawn(router.clone().oneshot(request))
        })
        .collect();
    tokio::time::sleep(ms(100)).await;
    for client in &clients {
        client.abort();
    }
    for client in clients {
        let _ = client.await;
    }
    let still = running.load(Ordering::SeqCst);
    assert!(
        still == 0,
        "{}",
        t!("spec-05-3-gone-still-running", still = still)
    );
    let counts = burst(&router, "/slow", 100).await;
    expect(
        &counts,
        &[(200, 100, 50), (200, 200, 50)],
        &t!("spec-05-3-gone-places-free"),
    );
}
