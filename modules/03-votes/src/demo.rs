//! The module's demo app: polls (03.1 vote, 03.2 change), likes (03.3), the
//! daily reward (03.4) and coupons (03.5) over HTTP, on whichever
//! implementations it is given (naive, the exercise's, the solution's), so a
//! class can watch a vote counted twice and a coupon redeemed past its uses,
//! then watch the fix hold. Every refusal is problem+json.

use crate::ballot::{Cast, Tally, tallies};
use crate::coupon::CouponError;
use crate::poll::{Vote, VoteError, votes_of};
use crate::reward::RewardError;
use crate::spec::erased::{DynBallots, DynCoupons, DynDailyRewards, DynLikes, DynPolls};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use racecourse_kit::problem::{Json, Path, Problem, no_route, panic_as_problem, wrong_method};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;

/// The implementations the demo serves.
pub struct Services {
    pub pool: PgPool,
    pub polls: Arc<dyn DynPolls>,
    pub ballots: Arc<dyn DynBallots>,
    pub likes: Option<Arc<dyn DynLikes>>,
    pub rewards: Arc<dyn DynDailyRewards>,
    pub coupons: Arc<dyn DynCoupons>,
}

/// Every route of the demo. Likes are served only when Redis is there.
pub fn app(services: Services) -> Router {
    let mut router = vote_routes(services.polls, services.pool)
        .merge(ballot_routes(services.ballots))
        .merge(reward_routes(services.rewards))
        .merge(coupon_routes(services.coupons));
    if let Some(likes) = services.likes {
        router = router.merge(like_routes(likes));
    }
    finish(router)
}

/// The fallbacks and the panic catcher a router of the demo ends with, once
/// its routes are merged (two routers with fallbacks cannot be).
pub fn finish(router: Router) -> Router {
    router
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(CatchPanicLayer::custom(panic_as_problem))
}

/// A user name from a path or a body: 1 to 64 characters, none of them a
/// control character.
fn user_name(name: &str) -> Result<&str, Problem> {
    if (1..=64).contains(&name.chars().count()) && !name.chars().any(char::is_control) {
        Ok(name)
    } else {
        Err(Problem::bad_request(
            "a user name is 1 to 64 characters, none of them a control character",
        ))
    }
}

fn internal(error: impl std::fmt::Display) -> Problem {
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}

impl From<VoteError> for Problem {
    fn from(error: VoteError) -> Problem {
        let text = error.to_string();
        match error {
            VoteError::AlreadyVoted(_) => {
                Problem::typed(StatusCode::CONFLICT, "already-voted", "Already voted", text)
            }
            VoteError::UnknownOption { .. } => Problem::not_found(text),
            VoteError::Db(_) => internal(text),
        }
    }
}

/// A duplicate vote's answer: 409, naming the vote that counts in the detail
/// and in `Location`.
fn already_voted(vote: Vote) -> Response {
    let location = format!("/polls/{}/votes/{}", vote.poll, vote.id);
    let mut response = Problem::from(VoteError::AlreadyVoted(vote)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The body of `POST /polls/{poll}/votes`.
#[derive(Debug, Deserialize, Serialize)]
pub struct VoteRequest {
    pub voter: String,
    pub option: i64,
}

/// A stored vote, as the demo answers it.
#[derive(Debug, Deserialize, Serialize)]
pub struct VoteView {
    pub id: i64,
    pub poll: i64,
    pub option: i64,
    pub voter: String,
}

/// The body of `PUT /polls/{poll}/votes/{voter}`.
#[derive(Debug, Deserialize, Serialize)]
pub struct CastRequest {
    pub option: i64,
}

/// The body of `GET /polls/{poll}`.
#[derive(Debug, Deserialize, Serialize)]
pub struct PollView {
    pub id: i64,
    pub votes: i64,
    pub voters: i64,
    pub options: Vec<OptionView>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct OptionView {
    pub id: i64,
    pub tally: i64,
    pub counted: i64,
}

struct PollState {
    polls: Arc<dyn DynPolls>,
    pool: PgPool,
}

/// `POST /polls/{poll}/votes` (03.1) and `GET /polls/{poll}`.
pub fn vote_routes(polls: Arc<dyn DynPolls>, pool: PgPool) -> Router {
    Router::new()
        .route("/polls/{poll}", get(poll_view))
        .route("/polls/{poll}/votes", post(vote))
        .with_state(Arc::new(PollState { polls, pool }))
}

/// `PUT /polls/{poll}/votes/{voter}` (03.2).
pub fn ballot_routes(ballots: Arc<dyn DynBallots>) -> Router {
    Router::new()
        .route("/polls/{poll}/votes/{voter}", put(cast))
        .with_state(ballots)
}

async fn vote(
    State(state): State<Arc<PollState>>,
    Path(poll): Path<i64>,
    Json(request): Json<VoteRequest>,
) -> Result<Response, Problem> {
    let voter = user_name(&request.voter)?;
    match state.polls.vote(poll, request.option, voter).await {
        Ok(vote) => Ok((
            StatusCode::CREATED,
            Json(VoteView {
                id: vote.id,
                poll: vote.poll,
                option: vote.option,
                voter: vote.voter,
            }),
        )
            .into_response()),
        Err(VoteError::AlreadyVoted(vote)) => Ok(already_voted(vote)),
        Err(e) => Err(e.into()),
    }
}

async fn cast(
    State(ballots): State<Arc<dyn DynBallots>>,
    Path((poll, voter)): Path<(i64, String)>,
    Json(request): Json<CastRequest>,
) -> Result<Json<serde_json::Value>, Problem> {
    let voter = user_name(&voter)?;
    let answer = match ballots.cast(poll, request.option, voter).await? {
        Cast::New => serde_json::json!({ "cast": "new" }),
        Cast::Changed { from } => serde_json::json!({ "cast": "changed", "from": from }),
        Cast::Unchanged => serde_json::json!({ "cast": "unchanged" }),
    };
    Ok(Json(answer))
}

async fn poll_view(
    State(state): State<Arc<PollState>>,
    Path(poll): Path<i64>,
) -> Result<Json<PollView>, Problem> {
    let options: Vec<Tally> = tallies(&state.pool, poll).await.map_err(internal)?;
    if options.is_empty() {
        return Err(Problem::not_found(format!("no poll {poll}")));
    }
    let votes = votes_of(&state.pool, poll).await.map_err(internal)?;
    let mut voters: Vec<&str> = votes.iter().map(|v| v.voter.as_str()).collect();
    voters.sort_unstable();
    voters.dedup();
    Ok(Json(PollView {
        id: poll,
        votes: votes.len() as i64,
        voters: voters.len() as i64,
        options: options
            .into_iter()
            .map(|t| OptionView {
                id: t.option,
                tally: t.tally,
                counted: t.counted,
            })
            .collect(),
    }))
}

/// `PUT`, `DELETE` and `GET /posts/{post}/likes/{user}` and
/// `GET /posts/{post}/likes` (03.3).
pub fn like_routes(likes: Arc<dyn DynLikes>) -> Router {
    Router::new()
        .route("/posts/{post}/likes", get(like_count))
        .route("/posts/{post}/likes/{user}", put(like).delete(unlike))
        .with_state(likes)
}

async fn like(
    State(likes): State<Arc<dyn DynLikes>>,
    Path((post, user)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, Problem> {
    let count = likes
        .like(user_name(&post)?, user_name(&user)?)
        .await
        .map_err(internal)?;
    Ok(Json(serde_json::json!({ "post": post, "likes": count })))
}

async fn unlike(
    State(likes): State<Arc<dyn DynLikes>>,
    Path((post, user)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, Problem> {
    let count = likes
        .unlike(user_name(&post)?, user_name(&user)?)
        .await
        .map_err(internal)?;
    Ok(Json(serde_json::json!({ "post": post, "likes": count })))
}

async fn like_count(
    State(likes): State<Arc<dyn DynLikes>>,
    Path(post): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    let count = likes.count(user_name(&post)?).await.map_err(internal)?;
    Ok(Json(serde_json::json!({ "post": post, "likes": count })))
}

/// `POST /rewards/{user}/claim` (03.4): 200, or 429 with `Retry-After`.
pub fn reward_routes(rewards: Arc<dyn DynDailyRewards>) -> Router {
    Router::new()
        .route("/rewards/{user}/claim", post(claim))
        .with_state(rewards)
}

async fn claim(
    State(rewards): State<Arc<dyn DynDailyRewards>>,
    Path(user): Path<String>,
) -> Result<Response, Problem> {
    match rewards.claim(user_name(&user)?).await {
        Ok(granted) => Ok(Json(serde_json::json!({
            "day": granted.day,
            "balance": granted.balance,
        }))
        .into_response()),
        Err(RewardError::AlreadyClaimed { retry_after }) => {
            let mut response = Problem::typed(
                StatusCode::TOO_MANY_REQUESTS,
                "reward-claimed",
                "Already claimed today",
                RewardError::AlreadyClaimed { retry_after }.to_string(),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            Ok(response)
        }
        Err(e) => Err(internal(e)),
    }
}

/// The body of `POST /coupons/{code}/redemptions`.
#[derive(Debug, Deserialize, Serialize)]
pub struct RedeemRequest {
    pub redeemer: String,
}

impl From<CouponError> for Problem {
    fn from(error: CouponError) -> Problem {
        let text = error.to_string();
        match error {
            CouponError::UnknownCoupon(_) => Problem::not_found(text),
            CouponError::UsedUp(_) => Problem::typed(
                StatusCode::CONFLICT,
                "coupon-used-up",
                "Coupon used up",
                text,
            ),
            CouponError::AlreadyRedeemed { .. } => Problem::typed(
                StatusCode::CONFLICT,
                "coupon-already-redeemed",
                "Coupon already redeemed",
                text,
            ),
            CouponError::Db(_) => internal(text),
        }
    }
}

/// `POST /coupons/{code}/redemptions` (03.5).
pub fn coupon_routes(coupons: Arc<dyn DynCoupons>) -> Router {
    Router::new()
        .route("/coupons/{code}/redemptions", post(redeem))
        .with_state(coupons)
}

async fn redeem(
    State(coupons): State<Arc<dyn DynCoupons>>,
    Path(code): Path<String>,
    Json(request): Json<RedeemRequest>,
) -> Result<Response, Problem> {
    let redeemer = user_name(&request.redeemer)?;
    let r = coupons.redeem(user_name(&code)?, redeemer).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "id": r.id,
            "code": r.code,
            "redeemer": r.redeemer,
            "uses_left": r.uses_left,
        })),
    )
        .into_response())
}
