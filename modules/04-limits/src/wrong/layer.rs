//! 04.4: rate-limit layers that look fixed. They share one right middleware
//! ([`flawed`]), each with one step done wrong ([`Flaw`]). They are
//! `axum::middleware::from_fn` middleware rather than hand-written `Layer`s:
//! the mistake is in what the middleware does, not in the tower plumbing.

use crate::layer::{
    FORWARDED_FOR, LimitConfig, POLICY_HEADER, Policy, RATELIMIT_HEADER, USER_HEADER, Usage,
    Windows, too_many_requests,
};
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// What each wrong layer gets wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flaw {
    LeftmostForwardedFor,
    ForwardedForFromAnyone,
    RetryAfterWindow,
    UnquotedName,
    FieldsOnlyOn429,
}

pub fn leftmost_forwarded_for(router: Router, config: Arc<LimitConfig>) -> Router {
    with(router, config, Flaw::LeftmostForwardedFor)
}
pub fn forwarded_for_from_anyone(router: Router, config: Arc<LimitConfig>) -> Router {
    with(router, config, Flaw::ForwardedForFromAnyone)
}
pub fn retry_after_window(router: Router, config: Arc<LimitConfig>) -> Router {
    with(router, config, Flaw::RetryAfterWindow)
}
pub fn unquoted_name(router: Router, config: Arc<LimitConfig>) -> Router {
    with(router, config, Flaw::UnquotedName)
}
pub fn fields_only_on_429(router: Router, config: Arc<LimitConfig>) -> Router {
    with(router, config, Flaw::FieldsOnlyOn429)
}

type Shared = (Arc<LimitConfig>, Arc<Windows>, Flaw);

fn with(router: Router, config: Arc<LimitConfig>, flaw: Flaw) -> Router {
    router.layer(from_fn_with_state(
        (config, Arc::new(Windows::new()), flaw),
        flawed,
    ))
}

/// The right steps of the layer, but for `flaw`.
async fn flawed(
    State((config, windows, flaw)): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let policy = config.policy_for(request.uri().path()).clone();
    let client = client(&config, &request, flaw);
    let usage = windows.hit(&policy, &client);
    let mut response = if usage.allowed {
        next.run(request).await
    } else {
        // ANCHOR: retry_after_window
        // Retry-After is the policy's whole window: "try again in a minute".
        // 17 s into the window the client could come back in 43; told 60, a
        // well-behaved client waits longer than it must, and Retry-After no
        // longer agrees with RateLimit's t.
        let wait = if flaw == Flaw::RetryAfterWindow {
            policy.window.as_secs()
        } else {
            usage.reset_secs()
        };
        // ANCHOR_END: retry_after_window
        let mut refused = too_many_requests(&policy, &usage).into_response();
        refused
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        refused
    };
    // ANCHOR: fields_only_on_429
    // The fields go on refusals only: "the client only needs to know when it
    // is refused". The draft's point is the opposite: a client that sees
    // r=1 slows down before it is refused.
    if usage.allowed && flaw == Flaw::FieldsOnlyOn429 {
        return response;
    }
    // ANCHOR_END: fields_only_on_429
    fields(response.headers_mut(), &policy, &usage, flaw);
    response
}

/// Who is asking, as the right layer finds it, but for `flaw`.
fn client(config: &LimitConfig, request: &Request, flaw: Flaw) -> String {
    if let Some(user) = request
        .headers()
        .get(USER_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        return format!("user:{user}");
    }
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return "peer:unknown".into();
    };
    let forwarded: Vec<IpAddr> = request
        .headers()
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    // ANCHOR: forwarded_for_from_anyone
    // X-Forwarded-For is read from every peer, trusted proxy or not: a client
    // that connects directly writes the header itself, and each new address
    // it writes is a new quota.
    let trusted = flaw == Flaw::ForwardedForFromAnyone || config.is_trusted_proxy(peer.ip());
    // ANCHOR_END: forwarded_for_from_anyone
    if !trusted {
        return format!("ip:{}", peer.ip());
    }
    // ANCHOR: leftmost_forwarded_for
    // The leftmost address, "the original client", as many guides say. It is
    // whatever the client sent before our proxy appended the address it saw:
    // a client that writes a new one each time gets a new quota each time.
    let hop = if flaw == Flaw::LeftmostForwardedFor {
        forwarded.first().copied()
    } else {
        forwarded
            .iter()
            .rev()
            .find(|ip| !config.is_trusted_proxy(**ip))
            .copied()
    };
    // ANCHOR_END: leftmost_forwarded_for
    format!("ip:{}", hop.unwrap_or(peer.ip()))
}

/// The two fields, right but for `flaw`.
fn fields(headers: &mut HeaderMap, policy: &Policy, usage: &Usage, flaw: Flaw) {
    // ANCHOR: unquoted_name
    // `per-user;q=5;w=60`: it reads the same to a person, and to a Structured
    // Field parser it is a token, not the sf-string the draft specifies;
    // clients that parse the field (as they must) find no policy name.
    let name = if flaw == Flaw::UnquotedName {
        policy.name.clone()
    } else {
        format!("\"{}\"", policy.name)
    };
    // ANCHOR_END: unquoted_name
    let policy_field = format!("{name};q={};w={}", policy.quota, policy.window.as_secs());
    let limit_field = format!("{name};r={};t={}", usage.remaining, usage.reset_secs());
    for (field, value) in [
        (POLICY_HEADER, policy_field),
        (RATELIMIT_HEADER, limit_field),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(field, value);
        }
    }
}
