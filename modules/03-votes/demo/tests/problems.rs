//! Every route of the demo answers bad input with a problem+json 4xx, never a
//! 500 or a panic.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use racecourse_03::demo::{Services, app};
use racecourse_03::poll::create_poll;
use racecourse_03::reward::{SystemClock, Zone};
use racecourse_03::spec::erased as e;
use racecourse_03_solutions as solution;
use racecourse_kit::ask::ask;
use racecourse_kit::services::{with_pg, with_redis};
use std::sync::Arc;

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    body: Option<String>,
) -> (StatusCode, String, String) {
    let mut request = Request::builder().method(method).uri(uri);
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    ask(
        app,
        request.body(Body::from(body.unwrap_or_default())).unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_problem() {
    with_pg(&racecourse_03::MIGRATOR, |pool| async move {
        with_redis(move |slot| async move {
            let (poll, _) = create_poll(&pool, "Best pet?", &["cat", "dog"])
                .await
                .unwrap();
            let (_, elsewhere) = create_poll(&pool, "Tea?", &["tea"]).await.unwrap();
            let router = app(Services {
                polls: e::polls::<solution::poll::PgPolls>(pool.clone()),
                ballots: e::ballots::<solution::ballot::PgBallots>(pool.clone()),
                likes: Some(e::likes::<solution::likes::RedisLikes>(
                    slot.conn.clone(),
                    slot.prefix.clone(),
                )),
                rewards: e::daily_rewards::<solution::reward::PgDailyRewards>(
                    pool.clone(),
                    Zone::fixed("UTC", 0),
                    Arc::new(SystemClock),
                ),
                coupons: e::coupons::<solution::coupon::PgCoupons>(pool.clone()),
                pool: pool.clone(),
            });
            let votes = format!("/polls/{poll}/votes");
            let big = format!(r#"{{"voter":"{}","option":1}}"#, "a".repeat(3 << 20));
            let cases: Vec<(Method, String, Option<String>, StatusCode)> = vec![
                (
                    Method::POST,
                    votes.clone(),
                    Some("{\"voter\":".into()),
                    StatusCode::BAD_REQUEST,
                ),
                (
                    Method::POST,
                    votes.clone(),
                    Some(r#"{"voter":1,"option":"x"}"#.into()),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                (
                    Method::POST,
                    votes.clone(),
                    None,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ),
                (
                    Method::POST,
                    votes.clone(),
                    Some(big),
                    StatusCode::PAYLOAD_TOO_LARGE,
                ),
                (
                    Method::POST,
                    votes.clone(),
                    Some(r#"{"voter":"","option":1}"#.into()),
                    StatusCode::BAD_REQUEST,
                ),
                (
                    Method::POST,
                    votes.clone(),
                    Some(format!(r#"{{"voter":"ann","option":{}}}"#, elsewhere[0])),
                    StatusCode::NOT_FOUND,
                ),
                (
                    Method::POST,
                    "/polls/x/votes".into(),
                    Some(r#"{"voter":"ann","option":1}"#.into()),
                    StatusCode::BAD_REQUEST,
                ),
                (
                    Method::GET,
                    "/polls/9999999".into(),
                    None,
                    StatusCode::NOT_FOUND,
                ),
                (
                    Method::GET,
                    "/polls/99999999999999999999".into(),
                    None,
                    StatusCode::BAD_REQUEST,
                ),
                (
                    Method::DELETE,
                    votes.clone(),
                    None,
                    StatusCode::METHOD_NOT_ALLOWED,
                ),
                (
                    Method::PUT,
                    format!("{votes}/ann"),
                    Some(r#"{"option":"dog"}"#.into()),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                (
                    Method::PUT,
                    format!("{votes}/ann"),
                    Some(format!(r#"{{"option":{}}}"#, elsewhere[0])),
                    StatusCode::NOT_FOUND,
                ),
                (
                    Method::PUT,
                    format!("{votes}/%01"),
                    Some(r#"{"option":1}"#.into()),
                    StatusCode::BAD_REQUEST,
                ),
                (
                    Method::PUT,
                    "/posts/p1/likes/%7F".into(),
                    None,
                    StatusCode::BAD_REQUEST,
                ),
                (
                    Method::POST,
                    "/posts/p1/likes/ann".into(),
                    None,
                    StatusCode::METHOD_NOT_ALLOWED,
                ),
                (
                    Method::POST,
                    format!("/rewards/{}/claim", "a".repeat(65)),
                    None,
                    StatusCode::BAD_REQUEST,
                ),
                (
                    Method::GET,
                    "/rewards/ann/claim".into(),
                    None,
                    StatusCode::METHOD_NOT_ALLOWED,
                ),
                (
                    Method::POST,
                    "/coupons/NOPE/redemptions".into(),
                    Some(r#"{"redeemer":"ann"}"#.into()),
                    StatusCode::NOT_FOUND,
                ),
                (
                    Method::POST,
                    "/coupons/NOPE/redemptions".into(),
                    Some("{}".into()),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                (Method::GET, "/nowhere".into(), None, StatusCode::NOT_FOUND),
            ];
            for (method, uri, body, status) in cases {
                let what = format!("{method} {uri} {:.60}", body.clone().unwrap_or_default());
                let (got, content_type, text) = send(&router, method, &uri, body).await;
                assert_eq!(got, status, "{what}: {text}");
                assert_eq!(content_type, "application/problem+json", "{what}: {text}");
            }
        })
        .await;
    })
    .await;
}
