//! Exercise 02.2: the `Idempotency-Key` layer. A `tower::Layer` that any axum
//! router can wear (`router.layer(IdempotencyLayer::new(store))`), backed by a
//! 02.1 store, so that a handler behind it runs once per key however often the
//! client retries.
//!
//! The exercise file (`src/layer.rs` of the exercise crate) provides:
//!
//! - `pub struct IdempotencyLayer<S>` with `pub fn new(store: Arc<S>) -> Self`
//!   for any `S: IdempotencyStore`, and `impl Layer<I>` for it, whose service
//!   wraps any `I: Service<Request, Response = Response, Error = Infallible>`
//!   that is `Clone + Send + Sync + 'static` (an axum `Route` is);
//! - the service answers as the table below says, with the problems of
//!   [`problems`], the headers named here and [`fingerprint`].
//!
//! | request (POST)                                 | answer                                 |
//! |------------------------------------------------|----------------------------------------|
//! | no `x-user`                                    | 400 [`problems::missing_user`]         |
//! | no key, or an empty, too long or invalid key   | 400 [`problems::invalid_key`]          |
//! | the key's first request is still at work       | 409 [`problems::in_flight`] + `Retry-After` |
//! | the key was used with another method, path or body | 422 [`problems::reused_key`]       |
//! | the key's request completed                    | its status, headers and body, plus `Idempotent-Replayed: true` |
//! | a new key                                      | the handler's answer, stored unless it is a 4xx |
//!
//! Any other method passes through untouched.

use axum::http::Method;
use axum::http::StatusCode;
use racecourse_kit::problem::Problem;
use std::hash::{DefaultHasher, Hash, Hasher};

/// The request header with the key: the same value with every retry.
pub const KEY_HEADER: &str = "idempotency-key";
/// The request header naming the caller. Keys are scoped to it.
pub const USER_HEADER: &str = "x-user";
/// The response header that marks a replay.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// What a 409 puts in `Retry-After`, in seconds.
pub const RETRY_AFTER_SECS: u64 = 1;
/// The longest key accepted, in characters (Stripe's limit).
pub const MAX_KEY_LEN: usize = 255;

/// How much of a request body the layer reads to fingerprint it.
pub const MAX_BODY: usize = 1024 * 1024;

/// The fingerprint of a request, for [`crate::IdempotencyStore::begin`]: a hash
/// of its method, path and body.
pub fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    (method.as_str(), path, body).hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The problems the layer answers with, so that every implementation answers
/// the same bodies (the module's tests snapshot them).
pub mod problems {
    use super::*;

    /// 400: the request names no caller, so its key has no scope.
    pub fn missing_user() -> Problem {
        Problem::typed(
            StatusCode::BAD_REQUEST,
            "missing-user",
            "The request names no user",
            "send an x-user header: idempotency keys are kept per user",
        )
    }

    /// 400: the key is missing, empty, too long or not visible ASCII.
    pub fn invalid_key() -> Problem {
        Problem::typed(
            StatusCode::BAD_REQUEST,
            "invalid-idempotency-key",
            "Idempotency-Key missing or invalid",
            "send an Idempotency-Key header of 1 to 255 visible ASCII characters, \
             bare (abc) or quoted (\"abc\"): the same value with every retry",
        )
    }

    /// 409: the key's first request is still at work.
    pub fn in_flight(key: &str) -> Problem {
        Problem::typed(
            StatusCode::CONFLICT,
            "request-in-flight",
            "A request with this key is in progress",
            format!("the request with Idempotency-Key {key} has not finished: retry later"),
        )
    }

    /// 422: the key was used for another request.
    pub fn reused_key(key: &str) -> Problem {
        Problem::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "This key was used for another request",
            format!(
                "Idempotency-Key {key} was sent with another method, path or body: use a new key"
            ),
        )
    }
}
