//! 02.2: idempotency layers that look fixed. The first four share one right
//! middleware ([`flawed`]), each with one step of it done wrong ([`Flaw`]);
//! the last keeps its own map and checks it and claims in two steps. They are
//! `axum::middleware::from_fn` middleware rather than hand-written `Layer`s:
//! the mistake is in what the middleware does, not in the tower plumbing.

use crate::layer::{
    KEY_HEADER, MAX_BODY, REPLAYED_HEADER, RETRY_AFTER_SECS, USER_HEADER, fingerprint, problems,
};
use crate::spec::layer::{RefStore, store};
use crate::store::{Begin, IdempotencyStore, StoredResponse};
use crate::think;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What each wrong layer gets wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flaw {
    Unscoped,
    NoStoredHeaders,
    NoReplayedHeader,
    StoresRefusals,
}

pub fn unscoped(router: Router) -> Router {
    with(router, Flaw::Unscoped)
}
pub fn no_stored_headers(router: Router) -> Router {
    with(router, Flaw::NoStoredHeaders)
}
pub fn no_replayed_header(router: Router) -> Router {
    with(router, Flaw::NoReplayedHeader)
}
pub fn stores_refusals(router: Router) -> Router {
    with(router, Flaw::StoresRefusals)
}

fn with(router: Router, flaw: Flaw) -> Router {
    router.layer(from_fn_with_state((store(), flaw), flawed))
}

/// The right steps of the layer, but for `flaw`.
async fn flawed(
    State((store, flaw)): State<(Arc<RefStore>, Flaw)>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (user, key) = match caller_and_key(request.headers()) {
        Ok(found) => found,
        Err(problem) => return problem.into_response(),
    };
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let print = fingerprint(&parts.method, parts.uri.path(), &body);
    let scoped = scope(flaw, &user, &key);
    match store.begin(&scoped, &print).await {
        Begin::New => {
            let response = next.run(Request::from_parts(parts, Body::from(body))).await;
            // ANCHOR: stores_refusals
            // Every answer is stored, the handler's 4xx refusals too: the
            // client fixes its request (amount 0 becomes 10) and retries with
            // the same key, and gets 422, "key reused", for ever.
            let keep = flaw == Flaw::StoresRefusals || !response.status().is_client_error();
            // ANCHOR_END: stores_refusals
            if !keep {
                store.abandon(&scoped).await;
                return response;
            }
            let stored = keep_response(response).await;
            store.complete(&scoped, stored.clone()).await;
            replay(flaw, stored, false)
        }
        Begin::Replay(stored) => replay(flaw, stored, true),
        Begin::InFlight => {
            let mut response = problems::in_flight(&key).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            response
        }
        Begin::Mismatch => problems::reused_key(&key).into_response(),
    }
}

// ANCHOR: unscoped
/// The key the store sees. Unscoped, it is the key alone: bob sends
/// `order-1`, which alice used an hour ago, and gets alice's charge back, her
/// card's last digits and all.
fn scope(flaw: Flaw, user: &str, key: &str) -> String {
    if flaw == Flaw::Unscoped {
        key.to_string()
    } else {
        format!("{}:{user}:{key}", user.len())
    }
}
// ANCHOR_END: unscoped

/// A stored answer as a response.
fn replay(flaw: Flaw, stored: StoredResponse, replayed: bool) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, stored.body).into_response();
    // ANCHOR: no_stored_headers
    // The first answer goes out with the handler's headers; a replay gets
    // back status and body only, with the headers a fresh response gets. The replay loses `Location` (where is my charge?) and says
    // `text/plain` where the first said `application/json`.
    if !(replayed && flaw == Flaw::NoStoredHeaders) {
        // ANCHOR_END: no_stored_headers
        let headers = response.headers_mut();
        headers.clear();
        for (name, value) in &stored.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
    }
    // ANCHOR: no_replayed_header
    // The replay looks exactly like the first answer: the client cannot tell
    // that nothing ran this time (a dashboard counts two charges, a log
    // shows two).
    if replayed && flaw != Flaw::NoReplayedHeader {
        // ANCHOR_END: no_replayed_header
        let headers = response.headers_mut();
        headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}

/// The caller and the key (bare or quoted), or the 400 to answer.
fn caller_and_key(
    headers: &HeaderMap,
) -> Result<(String, String), racecourse_kit::problem::Problem> {
    let user = headers
        .get(USER_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|u| !u.is_empty())
        .ok_or_else(problems::missing_user)?;
    let raw = headers
        .get(KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(problems::invalid_key)?;
    let key = raw
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(raw);
    if !(1..=255).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(problems::invalid_key());
    }
    Ok((user.to_string(), key.to_string()))
}

async fn keep_response(response: Response) -> StoredResponse {
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    StoredResponse {
        status: parts.status.as_u16(),
        headers: parts
            .headers
            .iter()
            .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Its own map: per scoped key, `None` while in flight, then the answer.
type Answers = Arc<Mutex<HashMap<String, Option<StoredResponse>>>>;

pub fn check_then_claim(router: Router) -> Router {
    router.layer(from_fn_with_state(Answers::default(), two_steps))
}

// ANCHOR: check_then_claim
/// Looks the key up, reads the body, then claims the key: two steps with an
/// `.await` between them. Fifty duplicates that arrive together all look
/// before any claims, all find nothing, and all run the handler.
async fn two_steps(State(answers): State<Answers>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (user, key) = match caller_and_key(request.headers()) {
        Ok(found) => found,
        Err(problem) => return problem.into_response(),
    };
    let scoped = scope(Flaw::NoReplayedHeader, &user, &key); // scoped right
    let seen = answers.lock().unwrap().get(&scoped).cloned();
    match seen {
        Some(Some(stored)) => return replay(Flaw::StoresRefusals, stored, true),
        Some(None) => return problems::in_flight(&key).into_response(),
        None => {}
    }
    think().await; // log the new request, then claim it
    answers.lock().unwrap().insert(scoped.clone(), None);
    let response = next.run(request).await;
    // ANCHOR_END: check_then_claim
    if response.status().is_client_error() {
        answers.lock().unwrap().remove(&scoped);
        return response;
    }
    let stored = keep_response(response).await;
    answers.lock().unwrap().insert(scoped, Some(stored.clone()));
    replay(Flaw::StoresRefusals, stored, false)
}
