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

use axum::extract::Request;
use axum::response::Response;
use racecourse_04::{LimitConfig, Windows};
use std::convert::Infallible;
use std::future::Future;
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

/// What the layer does with one request. `racecourse_04::layer` has the
/// fields' names, `Windows`, `Usage::reset_secs` and the problem to answer
/// with.
async fn limit<I>(
    config: Arc<LimitConfig>,
    windows: Arc<Windows>,
    inner: I,
    request: Request,
) -> Response
where
    I: Service<Request, Response = Response, Error = Infallible>,
{
    let _ = (config, windows, inner);
    todo!(
        "04.4 exercises/04-limits/src/layer.rs: limit({} {})",
        request.method(),
        request.uri().path()
    )
}
