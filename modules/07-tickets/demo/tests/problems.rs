//! The demo's routes: the booking flow end to end over the solution, and
//! every bad input answered with problem+json, never a 500.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use racecourse_07::demo::{Booking, router};
use racecourse_07::spec::erased as e;
use racecourse_07::{Clock, MIGRATOR, tickets};
use racecourse_07_solutions as s;
use racecourse_kit::ask::ask;
use racecourse_kit::services::{RedisSlot, with_pg, with_redis};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const TTL: Duration = Duration::from_secs(60);

/// The solution's booking on this schema and key prefix, its worker and
/// sweeper driven by the test (not started).
fn booking(pool: sqlx::PgPool, slot: &RedisSlot, clock: Clock) -> Arc<Booking> {
    let (conn, prefix) = (slot.conn.clone(), slot.prefix.clone());
    Booking::new(
        pool.clone(),
        e::ticket_queue::<s::queue::RedisQueue>(conn.clone(), &prefix),
        e::reserver::<s::worker::LockingReserver>(
            pool.clone(),
            conn.clone(),
            &prefix,
            clock.clone(),
            TTL,
        ),
        e::sweeper::<s::sweeper::PgSweeper>(pool.clone(), conn, &prefix, clock.clone()),
        e::checkout::<s::checkout::PgCheckout>(pool, clock.clone()),
        e::notifier::<s::live::Hub>(16),
        clock,
        Duration::ZERO,
    )
}

async fn send(
    app: &Router,
    method: &str,
    path: &str,
    user: Option<&str>,
) -> (StatusCode, String, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(user) = user {
        request = request.header("x-user", user);
    }
    let (status, content_type, body) = ask(app, request.body(Body::empty()).unwrap()).await;
    (
        status,
        content_type,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

fn assert_problem(got: (StatusCode, String, Value), status: StatusCode, words: &str) {
    assert_eq!(got.0, status, "{}", got.2);
    assert_eq!(got.1, "application/problem+json", "{}", got.2);
    let text = format!("{} {}", got.2["type"], got.2["detail"]);
    assert!(text.contains(words), "{text} should say {words:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_problem() {
    with_pg(&MIGRATOR, |pool| async move {
        with_redis(|slot| bad_input(pool, slot)).await;
    })
    .await;
}

async fn bad_input(pool: sqlx::PgPool, slot: RedisSlot) {
    let (concert, ids) = tickets::create_concert(&pool, "Test", 2, 4500)
        .await
        .unwrap();
    let app = router(booking(pool, &slot, Clock::manual(1_000_000)));
    let t = ids[0];
    let bad = StatusCode::BAD_REQUEST;
    assert_problem(
        send(&app, "POST", &format!("/tickets/{t}/queue"), None).await,
        bad,
        "x-user",
    );
    assert_problem(
        send(&app, "POST", &format!("/tickets/{t}/queue"), Some("a b")).await,
        bad,
        "x-user",
    );
    assert_problem(
        send(&app, "POST", "/tickets/abc/queue", Some("ann")).await,
        bad,
        "",
    );
    assert_problem(
        send(&app, "POST", "/tickets/999999/queue", Some("ann")).await,
        StatusCode::NOT_FOUND,
        "no ticket",
    );
    assert_problem(
        send(&app, "GET", "/tickets/queue/nope", None).await,
        StatusCode::NOT_FOUND,
        "queue id",
    );
    assert_problem(send(&app, "GET", "/concerts/xyz", None).await, bad, "");
    assert_problem(
        send(&app, "GET", "/concerts/999999", None).await,
        StatusCode::NOT_FOUND,
        "no concert",
    );
    assert_problem(send(&app, "GET", "/cart", None).await, bad, "x-user");
    assert_problem(
        send(&app, "POST", "/checkout", Some("ann")).await,
        StatusCode::CONFLICT,
        "cart-empty",
    );
    assert_problem(send(&app, "GET", "/ws", None).await, bad, "user");
    assert_problem(
        send(&app, "GET", "/ws?user=ann", None).await,
        bad,
        "WebSocket",
    );
    assert_problem(
        send(&app, "DELETE", "/cart", Some("ann")).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "",
    );
    assert_problem(
        send(&app, "GET", "/nowhere", None).await,
        StatusCode::NOT_FOUND,
        "no such route",
    );
    let page = send(&app, "GET", &format!("/concerts/{concert}"), None).await;
    assert_eq!(page.0, StatusCode::OK);
    assert_eq!(page.2["tickets"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_reserve_expire_and_buy() {
    with_pg(&MIGRATOR, |pool| async move {
        with_redis(|slot| flow(pool, slot)).await;
    })
    .await;
}

async fn flow(pool: sqlx::PgPool, slot: RedisSlot) {
    let (_, ids) = tickets::create_concert(&pool, "Test", 2, 4500)
        .await
        .unwrap();
    let clock = Clock::manual(1_000_000);
    let booking = booking(pool, &slot, clock.clone());
    let app = router(booking.clone());
    let (t1, t2) = (ids[0], ids[1]);

    let joined = send(&app, "POST", &format!("/tickets/{t1}/queue"), Some("ann")).await;
    assert_eq!(joined.0, StatusCode::ACCEPTED, "{}", joined.2);
    assert_eq!(joined.2["position"], 1);
    let queue_id = joined.2["queue_id"].as_str().unwrap().to_string();
    let waiting = send(&app, "GET", &format!("/tickets/queue/{queue_id}"), None).await;
    assert_eq!(waiting.2["position"], 1, "{}", waiting.2);
    assert!(booking.serve_next().await.unwrap());
    let served = send(&app, "GET", &format!("/tickets/queue/{queue_id}"), None).await;
    assert_eq!(served.2["outcome"], "reserved", "{}", served.2);
    assert_problem(
        send(&app, "POST", &format!("/tickets/{t1}/queue"), Some("bob")).await,
        StatusCode::CONFLICT,
        "ticket-unavailable",
    );

    // Ann's reservation lapses before she pays: 410, nothing sold.
    clock.advance(TTL);
    assert_problem(
        send(&app, "POST", "/checkout", Some("ann")).await,
        StatusCode::GONE,
        "reservation-expired",
    );

    // Her second try, in time, is sold.
    send(&app, "POST", &format!("/tickets/{t2}/queue"), Some("ann")).await;
    assert!(booking.serve_next().await.unwrap());
    let freed = booking.sweeper.sweep().await.unwrap();
    assert_eq!(
        freed.len(),
        1,
        "the sweeper frees ann's lapsed reservation: {freed:?}"
    );
    let cart = send(&app, "GET", "/cart", Some("ann")).await;
    assert_eq!(
        cart.2["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        cart.2
    );
    let order = send(&app, "POST", "/checkout", Some("ann")).await;
    assert_eq!(order.0, StatusCode::CREATED, "{}", order.2);
    assert_eq!(order.2["tickets"], serde_json::json!([t2]));
}
