//! Exercise 04.4: the rate-limit layer. A `tower::Layer` that any axum router
//! can wear (`router.layer(RateLimitLayer::new(config))`): it tells each
//! client its quota on every answer and refuses the excess with 429.
//!
//! The exercise file (`src/layer.rs` of the exercise crate) provides `pub
//! struct RateLimitLayer` with `pub fn new(config: Arc<LimitConfig>) -> Self`
//! and `impl Layer<I>` for it, whose service wraps any `I: Service<Request,
//! Response = Response, Error = Infallible>` that is `Clone + Send + Sync +
//! 'static` (an axum `Route` is). It counts with [`Windows`] (given, right and
//! in memory) and answers as follows.
//!
//! - **Who**: the client is the authenticated user (`x-user`, set by the
//!   auth layer in front) if there is one, else the peer's IP address
//!   (`axum::extract::ConnectInfo<SocketAddr>` in the request's extensions).
//!   Only when the peer is one of `config.trusted_proxies` does the layer read
//!   `X-Forwarded-For`: the client is then the rightmost address in it that is
//!   not a trusted proxy (the proxy appends what it saw; anything to the left
//!   the client may have written itself).
//! - **Which policy**: `config.policy_for(path)`; each policy counts on its own,
//!   so a client's searches never spend its budget for other endpoints.
//! - **Every answer** carries the two fields of the IETF draft "RateLimit
//!   header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-10), each a
//!   Structured Field list of one item, the policy's name as an sf-string:
//!   `RateLimit-Policy: "per-user";q=100;w=60` (quota, window in seconds) and
//!   `RateLimit: "per-user";r=42;t=17` (remaining after this request, seconds
//!   until the window resets, rounded up).
//! - **The excess** gets 429 [`too_many_requests`] as problem+json, with
//!   `Retry-After: <t>` (the same seconds as `t`) and both fields; the handler
//!   does not run.

use racecourse_kit::problem::Problem;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The request header naming the authenticated user.
pub const USER_HEADER: &str = "x-user";
/// The request header a proxy appends the peer it saw to.
pub const FORWARDED_FOR: &str = "x-forwarded-for";
/// The response field naming the policy: `"per-user";q=100;w=60`.
pub const POLICY_HEADER: &str = "ratelimit-policy";
/// The response field with what is left: `"per-user";r=42;t=17`.
pub const RATELIMIT_HEADER: &str = "ratelimit";

/// A quota: `quota` requests per `window`, under a name the client sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub quota: u32,
    pub window: Duration,
}

impl Policy {
    pub fn new(name: &str, quota: u32, window: Duration) -> Policy {
        Policy {
            name: name.to_string(),
            quota,
            window,
        }
    }
}

/// The layer's configuration: a policy per endpoint (by exact path), the
/// default for every other, and the proxies whose `X-Forwarded-For` is trusted.
#[derive(Debug, Clone)]
pub struct LimitConfig {
    pub default: Policy,
    pub endpoints: Vec<(String, Policy)>,
    pub trusted_proxies: Vec<IpAddr>,
}

impl LimitConfig {
    /// The policy for a request to `path`.
    pub fn policy_for(&self, path: &str) -> &Policy {
        self.endpoints
            .iter()
            .find(|(p, _)| p == path)
            .map_or(&self.default, |(_, policy)| policy)
    }

    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.contains(&ip)
    }
}

/// What [`Windows::hit`] counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Whether this request is within the quota (it was counted) or not.
    pub allowed: bool,
    /// How many more the client may make in this window.
    pub remaining: u32,
    /// How long until this window ends and the count starts again.
    pub reset: Duration,
}

impl Usage {
    /// `reset` in whole seconds, rounded up: the `t` of `RateLimit` and the
    /// value of `Retry-After`.
    pub fn reset_secs(&self) -> u64 {
        self.reset.as_nanos().div_ceil(1_000_000_000) as u64
    }
}

/// Fixed windows per policy and client, in memory, on tokio's clock: the
/// counting the layer relies on (04.2 is where counting is the exercise). The
/// windows start when the `Windows` is made.
pub struct Windows {
    start: Instant,
    counts: Mutex<HashMap<(String, String), (u64, u32)>>,
}

/// Past this many entries, a hit drops those of finished windows.
const SWEEP_AT: usize = 10_000;

impl Windows {
    pub fn new() -> Windows {
        Windows {
            start: Instant::now(),
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `client` under `policy`, in one step.
    pub fn hit(&self, policy: &Policy, client: &str) -> Usage {
        let window = policy.window.as_nanos().max(1);
        let elapsed = self.start.elapsed().as_nanos();
        let index = (elapsed / window) as u64;
        let reset = Duration::from_nanos((window - elapsed % window) as u64);
        let mut counts = self.counts.lock().unwrap();
        if counts.len() >= SWEEP_AT {
            counts.retain(|_, (i, _)| *i == index);
        }
        let entry = counts
            .entry((policy.name.clone(), client.to_string()))
            .or_insert((index, 0));
        if entry.0 != index {
            *entry = (index, 0);
        }
        let allowed = entry.1 < policy.quota;
        if allowed {
            entry.1 += 1;
        }
        Usage {
            allowed,
            remaining: policy.quota - entry.1,
            reset,
        }
    }
}

impl Default for Windows {
    fn default() -> Windows {
        Windows::new()
    }
}

/// The 429's body.
pub fn too_many_requests(policy: &Policy, usage: &Usage) -> Problem {
    Problem::typed(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        format!(
            "the quota \"{}\" allows {} requests per {} s; try again in {} s",
            policy.name,
            policy.quota,
            policy.window.as_secs(),
            usage.reset_secs()
        ),
    )
}
