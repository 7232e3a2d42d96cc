//! # 04.4 The rate-limit layer (in memory)
//!
//! **The flaw.** A limiter that keys anonymous clients by `X-Forwarded-For`
//! lets any client name itself: a new address in the header, a new quota.
//! Clients that cannot see their quota find the limit by hitting it.
//!
//! **Your task.** Write `limit` below: find the client (the `x-user`, else the
//! peer's address, or, from a trusted proxy only, the rightmost untrusted
//! address in `X-Forwarded-For`), the policy for the path, count with
//! `windows.hit`, then run the handler or answer 429 (problem+json with
//! `Retry-After`), and put `RateLimit-Policy` and `RateLimit` on the answer as
//! `racecourse_04::layer` describes. The `Layer` and `Service` around it are
//! written: read them, they are how every tower middleware looks.
//!
//! **The spec checks** the fields (parsed as Structured Fields) on allowed and
//! refused answers, the 429 with its Retry-After and problem body, a policy
//! per endpoint, a quota per user, that a spoofed `X-Forwarded-For` gains
//! nothing, that clients behind the proxy are told apart, and 30 requests at
//! once.
//!
//! Run `cargo xtask test 04.4`; stuck? `cargo xtask hint 04.4`.

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use racecourse_04::layer::{
    FORWARDED_FOR, POLICY_HEADER, RATELIMIT_HEADER, USER_HEADER, too_many_requests,
};
use racecourse_04::{LimitConfig, Policy, Usage, Windows};
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// Puts [`RateLimit`] around a service: `router.layer(RateLimitLayer::new(config))`.
#[derive(Clone)]
pub struct RateLimitLayer {
    config: Arc<LimitConfig>,
    windows: Arc<Windows>,
}

impl RateLimitLayer {
    pub fn new(config: Arc<LimitConfig>) -> Self {
        RateLimitLayer {
            config,
            windows: Arc::new(Windows::new()),
        }
    }
}

impl<I> Layer<I> for RateLimitLayer {
    type Service = RateLimit<I>;

    fn layer(&self, inner: I) -> Self::Service {
        RateLimit {
            config: self.config.clone(),
            windows: self.windows.clone(),
            inner,
        }
    }
}

/// The service: the configuration, the counts, and the service it guards.
#[derive(Clone)]
pub struct RateLimit<I> {
    config: Arc<LimitConfig>,
    windows: Arc<Windows>,
    inner: I,
}

impl<I> Service<Request> for RateLimit<I>
where
    I: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    I::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone that was polled ready is the one to call: keep it, leave
        // a fresh clone in its place (tower's docs, "Be careful when cloning
        // inner services").
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        let (config, windows) = (self.config.clone(), self.windows.clone());
        Box::pin(async move { Ok(limit(config, windows, inner, request).await) })
    }
}

/// What the layer does with one request.
async fn limit<I>(
    config: Arc<LimitConfig>,
    windows: Arc<Windows>,
    mut inner: I,
    request: Request,
) -> Response
where
    I: Service<Request, Response = Response, Error = Infallible>,
{
    let policy = config.policy_for(request.uri().path()).clone();
    let client = client(&config, &request);
    let usage = windows.hit(&policy, &client);
    let mut response = if usage.allowed {
        match inner.call(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    } else {
        let mut refused = too_many_requests(&policy, &usage).into_response();
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(usage.reset_secs()));
        refused
    };
    fields(response.headers_mut(), &policy, &usage);
    response
}

// ANCHOR: client
/// Who is asking: the authenticated user, else the peer's address, or, when
/// the peer is a trusted proxy, the rightmost address in `X-Forwarded-For`
/// that is not one of ours (everything left of it the client could write).
fn client(config: &LimitConfig, request: &Request) -> String {
    if let Some(user) = request
        .headers()
        .get(USER_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|user| !user.is_empty())
    {
        return format!("user:{user}");
    }
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return "peer:unknown".into();
    };
    let mut ip = peer.ip();
    if config.is_trusted_proxy(ip) {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for entry in forwarded.into_iter().rev() {
            match entry.parse::<IpAddr>() {
                Ok(hop) if config.is_trusted_proxy(hop) => continue,
                Ok(hop) => ip = hop,
                // Not an address: nothing to its left can be trusted.
                Err(_) => {}
            }
            break;
        }
    }
    format!("ip:{ip}")
}
// ANCHOR_END: client

// ANCHOR: fields
/// `RateLimit-Policy: "name";q=5;w=60` and `RateLimit: "name";r=4;t=60`: the
/// policy's name as an sf-string (quoted, `"` and `\` escaped), integers after.
fn fields(headers: &mut HeaderMap, policy: &Policy, usage: &Usage) {
    let name = policy.name.replace('\\', "\\\\").replace('"', "\\\"");
    let pairs = [
        (
            POLICY_HEADER,
            format!(
                "\"{name}\";q={};w={}",
                policy.quota,
                policy.window.as_secs()
            ),
        ),
        (
            RATELIMIT_HEADER,
            format!("\"{name}\";r={};t={}", usage.remaining, usage.reset_secs()),
        ),
    ];
    for (field, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(field, value);
        }
    }
}
// ANCHOR_END: fields
