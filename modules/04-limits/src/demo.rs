//! The demo app of module 04: a small catalog API behind a rate-limit layer
//! (04.4), and the stampede on the catalog cache (04.6).
//!
//! `GET /items` and `GET /search?q=lamp` answer JSON; the layer the demo puts
//! in front of them (the naive "none", the exercise's, the solution's)
//! decides who gets through. [`load`] plays three clients against it in
//! memory, each from its own address: a signed-in user, an anonymous client
//! that writes a new `X-Forwarded-For` on every request, and one that does
//! the same through our proxy. [`stampede`] sends concurrent searches to a
//! cold catalog cache and counts the database queries they made.
//!
//! Bad input is answered with problem+json (`racecourse_kit::problem`): a
//! search without `q` or with an empty one is 400, an unknown path 404, a
//! wrong method 405, the excess 429.

use crate::MIGRATOR;
use crate::layer::{FORWARDED_FOR, LimitConfig, Policy, USER_HEADER};
use crate::spec::erased::DynCatalogCache;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Query};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use racecourse_kit::problem::Problem;
use racecourse_kit::services::{Kind, Scratch, find, redis_connect};
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// The demo's policies: 50 requests a minute per client, 10 searches.
pub fn config(trusted_proxies: Vec<std::net::IpAddr>) -> Arc<LimitConfig> {
    Arc::new(LimitConfig {
        default: Policy::new("per-user", 50, Duration::from_secs(60)),
        endpoints: vec![(
            "/search".into(),
            Policy::new("search", 10, Duration::from_secs(60)),
        )],
        trusted_proxies,
    })
}

/// The address of the proxy in front of the demo's API, for [`load`].
pub const PROXY: &str = "10.0.0.1";

/// The routes, with `wrap` around them (`|r| r.layer(RateLimitLayer::new(c))`,
/// or nothing for the naive demo).
pub fn router(wrap: impl FnOnce(Router) -> Router) -> Router {
    let routes = Router::new()
        .route("/items", get(items))
        .route("/search", get(search));
    wrap(routes)
        .fallback(racecourse_kit::problem::no_route)
        .method_not_allowed_fallback(racecourse_kit::problem::wrong_method)
}

const CATALOG: [&str; 4] = ["Desk lamp", "Floor lamp", "Desk", "Lamp shade"];

async fn items() -> Response {
    axum::Json(CATALOG).into_response()
}

async fn search(Query(params): Query<HashMap<String, String>>) -> Result<Response, Problem> {
    let q = params
        .get("q")
        .filter(|q| !q.trim().is_empty() && q.len() <= 100)
        .ok_or_else(|| Problem::bad_request("search needs ?q=, 1 to 100 characters"))?
        .to_lowercase();
    let found: Vec<&str> = CATALOG
        .into_iter()
        .filter(|name| name.to_lowercase().contains(&q))
        .collect();
    Ok(axum::Json(found).into_response())
}

/// One of [`load`]'s clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// Signed in as alice (`x-user`), from 203.0.113.50.
    User,
    /// Anonymous, connecting directly from 198.51.100.7, writing a new
    /// X-Forwarded-For on every request.
    Spoofer,
    /// Anonymous, 203.0.113.9 behind our proxy, writing a new address at the
    /// left of X-Forwarded-For on every request.
    SpooferBehindProxy,
}

impl Client {
    pub const ALL: [Client; 3] = [Client::User, Client::Spoofer, Client::SpooferBehindProxy];

    pub fn describe(self) -> &'static str {
        match self {
            Client::User => "alice (signed in)",
            Client::Spoofer => "anonymous, spoofs X-Forwarded-For",
            Client::SpooferBehindProxy => "anonymous behind our proxy, spoofs",
        }
    }

    /// Its `i`-th request.
    fn request(self, i: usize) -> Request<Body> {
        let spoofed = format!("192.0.2.{}", i % 250);
        let (peer, user, xff) = match self {
            Client::User => ("203.0.113.50", Some("alice"), None),
            Client::Spoofer => ("198.51.100.7", None, Some(spoofed)),
            Client::SpooferBehindProxy => (PROXY, None, Some(format!("{spoofed}, 203.0.113.9"))),
        };
        let mut request = Request::get("/items");
        if let Some(user) = user {
            request = request.header(USER_HEADER, user);
        }
        if let Some(xff) = xff {
            request = request.header(FORWARDED_FOR, xff);
        }
        let mut request = request.body(Body::empty()).expect("a request");
        let peer = SocketAddr::new(peer.parse().expect("an address"), 40000);
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    }
}

/// What [`load`] saw.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Per client: (allowed, refused with 429, any other answer).
    pub per_client: Vec<(Client, usize, usize, usize)>,
    /// The status and headers of one refused answer, if any.
    pub refused_example: Option<(StatusCode, Vec<(String, String)>)>,
}

/// Sends `n` requests, round robin over [`Client::ALL`], to `app`, in memory.
pub async fn load(app: Router, n: usize) -> LoadReport {
    let mut counts: HashMap<usize, (usize, usize, usize)> = HashMap::new();
    let mut report = LoadReport::default();
    for i in 0..n {
        let who = i % Client::ALL.len();
        let client = Client::ALL[who];
        let response = app
            .clone()
            .oneshot(client.request(i / Client::ALL.len()))
            .await
            .expect("infallible");
        let entry = counts.entry(who).or_default();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            entry.1 += 1;
            if report.refused_example.is_none() {
                let headers = response
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_string()))
                    .collect();
                report.refused_example = Some((response.status(), headers));
            }
        } else if response.status().is_success() {
            entry.0 += 1;
        } else {
            entry.2 += 1;
        }
    }
    report.per_client = (0..Client::ALL.len())
        .map(|who| {
            let (ok, refused, other) = counts.get(&who).copied().unwrap_or_default();
            (Client::ALL[who], ok, refused, other)
        })
        .collect();
    report
}

/// Makes a catalog cache, as [`crate::spec::erased::catalog_cache`] does.
pub type MakeCatalog = fn(PgPool, ConnectionManager, String) -> Arc<dyn DynCatalogCache>;

/// Sends `n` identical searches at once to a cold catalog cache made by
/// `make`, on a schema and a key prefix of its own, with the database held
/// slow (the spec's gate) for 200 ms; answers how many queries reached the
/// database.
pub async fn stampede(make: MakeCatalog, n: usize) -> Result<i64, String> {
    let scratch = Scratch::create(&MIGRATOR, "demo").await?;
    let outcome = stampede_on(&scratch.pool, make, n).await;
    scratch.remove().await;
    outcome
}

async fn stampede_on(pool: &PgPool, make: MakeCatalog, n: usize) -> Result<i64, String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    sqlx::query(
        "INSERT INTO products (id, name, price_cents) VALUES \
         (1, 'Desk lamp', 2500), (2, 'Floor lamp', 8900), (3, 'Desk', 15000), \
         (4, 'Lamp shade', 1200)",
    )
    .execute(pool)
    .await
    .map_err(|x| e(&x))?;
    let redis = find(Kind::Redis).await.map_err(|x| e(&x))?;
    let conn = redis_connect(&redis.url).await.map_err(|x| e(&x))?;
    let prefix = format!("rc:demo04:{}:", std::process::id());
    let cache = make(pool.clone(), conn.clone(), prefix.clone());
    let mut gate = pool.begin().await.map_err(|x| e(&x))?;
    sqlx::query("SELECT 1 FROM gate FOR UPDATE")
        .execute(&mut *gate)
        .await
        .map_err(|x| e(&x))?;
    let searches = {
        let cache = cache.clone();
        tokio::spawn(async move {
            racecourse_kit::spec::together(n, |_| {
                let cache = cache.clone();
                async move { cache.search("lamp").await.is_ok() }
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    gate.commit().await.map_err(|x| e(&x))?;
    let answered = searches.await.map_err(|x| e(&x))?;
    let queries: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM search_calls",
    )
    .fetch_one(pool)
    .await
    .map_err(|x| e(&x))?;
    let mut conn = conn;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .map_err(|x| e(&x))?;
    if !keys.is_empty() {
        redis::cmd("DEL")
            .arg(keys)
            .query_async::<()>(&mut conn)
            .await
            .map_err(|x| e(&x))?;
    }
    let failed = answered.iter().filter(|ok| !**ok).count();
    if failed > 0 {
        return Err(format!("{failed} of {n} searches failed"));
    }
    Ok(queries)
}

/// Makes a window limiter, as [`crate::spec::erased::window_limiter`] does.
pub type MakeWindow = fn(u32, Duration) -> Arc<dyn crate::WindowLimiter>;

/// A fixed and a sliding window of 5 per second, made at the same instant,
/// each sent 8 requests at 950 ms and 8 more at 1050 ms, in real time:
/// `[(fixed before, fixed after), (sliding before, sliding after)]` allowed.
pub async fn edge(fixed: MakeWindow, sliding: MakeWindow) -> [(usize, usize); 2] {
    let window = Duration::from_secs(1);
    let limiters = [fixed(5, window), sliding(5, window)];
    let start = tokio::time::Instant::now();
    let burst = |l: &Arc<dyn crate::WindowLimiter>| (0..8).filter(|_| l.check("client")).count();
    tokio::time::sleep_until(start + Duration::from_millis(950)).await;
    let before = limiters.each_ref().map(burst);
    tokio::time::sleep_until(start + Duration::from_millis(1050)).await;
    let after = limiters.each_ref().map(burst);
    [(before[0], after[0]), (before[1], after[1])]
}
