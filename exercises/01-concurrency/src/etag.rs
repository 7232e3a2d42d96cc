//! # 01.7 HTTP lost-update guard: ETag, If-Match, 412, 428
//!
//! **The race.** Two people open the same document, both edit, both save: the
//! second PUT silently overwrites the first. Nothing on the server is wrong
//! with either request on its own.
//!
//! **Your task.** Answer GET with an `ETag`; require `If-Match` on PUT (428
//! without it), refuse a stale one (412), and check and write in one step, so
//! that of many PUTs carrying the same ETag only one can win.
//!
//! **The spec checks** every status (200, 400, 404, 412, 428, all errors as
//! problem+json) through the router, and that of 50 writers racing with the
//! same ETag exactly one wins.
//!
//! Run `cargo xtask test 01.7`; stuck? `cargo xtask hint 01.7`.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use racecourse_01::etag::{Document, IfMatch, parse_if_match};
use racecourse_kit::problem::{Json, Path, Problem};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Why a replace did not happen.
pub enum ReplaceError {
    NotFound,
    /// The document is no longer what the client saw; here is what it is now.
    Stale(Document),
}

/// Documents in memory.
pub struct Documents {
    docs: Mutex<HashMap<String, Document>>,
}

impl Documents {
    /// Documents at version 1.
    pub fn seeded(seed: Vec<(String, Value)>) -> Self {
        let docs = seed
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
        Documents {
            docs: Mutex::new(docs),
        }
    }

    pub fn get(&self, id: &str) -> Option<Document> {
        self.docs.lock().unwrap().get(id).cloned()
    }

    /// Replaces the document if it still matches `expected`.
    pub fn replace(
        &self,
        id: &str,
        expected: &IfMatch,
        content: Value,
    ) -> Result<Document, ReplaceError> {
        todo!(
            "01.7 exercises/01-concurrency/src/etag.rs: Documents::replace({id}, {expected:?}, {content})"
        )
    }
}

/// The routes: `GET` and `PUT /documents/{id}`.
pub fn router(seed: Vec<(String, Value)>) -> Router {
    Router::new()
        .route("/documents/{id}", get(read).put(write))
        .with_state(Arc::new(Documents::seeded(seed)))
}

/// `GET /documents/{id}`: the content with an `ETag` header, or 404.
async fn read(
    State(docs): State<Arc<Documents>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let _ = docs;
    todo!("01.7 exercises/01-concurrency/src/etag.rs: read({id})")
}

/// `PUT /documents/{id}`: 428 without `If-Match`, 412 if stale, else 200 with
/// the new `ETag`.
async fn write(
    State(docs): State<Arc<Documents>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(content): Json<Value>,
) -> Result<Response, Problem> {
    // You will need parse_if_match, precondition_required (428),
    // precondition_failed (412), no_document (404) and Documents::replace.
    let _if_match = parse_if_match(&headers)?;
    let _ = docs;
    todo!("01.7 exercises/01-concurrency/src/etag.rs: write({id}, {content})")
}
