//! 01.7: If-Match handled almost right.

use crate::etag::{
    Document, IfMatch, no_document, parse_if_match, precondition_failed, precondition_required,
};
use crate::think;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use racecourse_kit::problem::{Json, Path, Problem};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Docs = Arc<Mutex<HashMap<String, Document>>>;

/// The routes over `put`, one of the handlers below.
fn routes<H, T>(seed: Vec<(String, Value)>, put: H) -> Router
where
    H: axum::handler::Handler<T, Docs>,
    T: 'static,
{
    let docs: HashMap<_, _> = seed
        .into_iter()
        .map(|(id, content)| {
            (
                id,
                Document {
                    version: 1,
                    content,
                },
            )
        })
        .collect();
    Router::new()
        .route("/documents/{id}", get(read).put(put))
        .with_state(Arc::new(Mutex::new(docs)))
}

async fn read(State(docs): State<Docs>, Path(id): Path<String>) -> Result<Response, Problem> {
    let doc = docs
        .lock()
        .unwrap()
        .get(&id)
        .cloned()
        .ok_or_else(|| no_document(&id))?;
    Ok(([(header::ETAG, doc.etag())], Json(doc.content)).into_response())
}

/// Writes `content` over document `id` as its next version.
fn store(docs: &Docs, id: &str, content: Value) -> Document {
    let mut docs = docs.lock().unwrap();
    let doc = docs.get_mut(id).expect("checked to exist");
    *doc = Document {
        version: doc.version + 1,
        content,
    };
    doc.clone()
}

fn written(doc: Document) -> Response {
    ([(header::ETAG, doc.etag())], Json(doc.content)).into_response()
}

// ANCHOR: check_then_write
/// Checks If-Match against the current version, then (after an await: a log
/// line, a call to another service) writes under the lock again. Fifty writers
/// with the same ETag all pass the check before the first one writes.
async fn check_then_write(
    State(docs): State<Docs>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(content): Json<Value>,
) -> Result<Response, Problem> {
    let expected = parse_if_match(&headers)?.ok_or_else(precondition_required)?;
    let current = docs
        .lock()
        .unwrap()
        .get(&id)
        .cloned()
        .ok_or_else(|| no_document(&id))?;
    if !expected.matches(&current) {
        return Err(precondition_failed(&current));
    }
    think().await;
    Ok(written(store(&docs, &id, content)))
}
// ANCHOR_END: check_then_write

pub fn check_then_write_router(seed: Vec<(String, Value)>) -> Router {
    routes(seed, check_then_write)
}

// ANCHOR: if_match_optional
/// Checks If-Match, and does so under the lock, but only when the client sent
/// one: a client that never read the document (or forgot the header) still
/// overwrites it. Without the header the answer must be 428.
async fn if_match_optional(
    State(docs): State<Docs>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(content): Json<Value>,
) -> Result<Response, Problem> {
    let expected = parse_if_match(&headers)?.unwrap_or(IfMatch::Any);
    let mut all = docs.lock().unwrap();
    let current = all.get_mut(&id).ok_or_else(|| no_document(&id))?;
    if !expected.matches(current) {
        return Err(precondition_failed(current));
    }
    *current = Document {
        version: current.version + 1,
        content,
    };
    Ok(written(current.clone()))
}
// ANCHOR_END: if_match_optional

pub fn if_match_optional_router(seed: Vec<(String, Value)>) -> Router {
    routes(seed, if_match_optional)
}
