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
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use racecourse_01::etag::{
    Document, IfMatch, no_document, parse_if_match, precondition_failed, precondition_required,
};
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

    // ANCHOR: replace
    /// Replaces the document if it still matches `expected`: the check and the
    /// write under one lock, so no other write can land between them.
    pub fn replace(
        &self,
        id: &str,
        expected: &IfMatch,
        content: Value,
    ) -> Result<Document, ReplaceError> {
        let mut docs = self.docs.lock().unwrap();
        let current = docs.get_mut(id).ok_or(ReplaceError::NotFound)?;
        if !expected.matches(current) {
            return Err(ReplaceError::Stale(current.clone()));
        }
        *current = Document {
            version: current.version + 1,
            content,
        };
        Ok(current.clone())
    }
    // ANCHOR_END: replace
}

/// The routes: `GET` and `PUT /documents/{id}`.
pub fn router(seed: Vec<(String, Value)>) -> Router {
    Router::new()
        .route("/documents/{id}", get(read).put(write))
        .with_state(Arc::new(Documents::seeded(seed)))
}

async fn read(
    State(docs): State<Arc<Documents>>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let doc = docs.get(&id).ok_or_else(|| no_document(&id))?;
    Ok(([(header::ETAG, doc.etag())], Json(doc.content)).into_response())
}

// ANCHOR: write
async fn write(
    State(docs): State<Arc<Documents>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(content): Json<Value>,
) -> Result<Response, Problem> {
    if docs.get(&id).is_none() {
        return Err(no_document(&id));
    }
    let expected = parse_if_match(&headers)?.ok_or_else(precondition_required)?;
    let doc = docs.replace(&id, &expected, content).map_err(|e| match e {
        ReplaceError::NotFound => no_document(&id),
        ReplaceError::Stale(current) => precondition_failed(&current),
    })?;
    Ok(([(header::ETAG, doc.etag())], Json(doc.content)).into_response())
}
// ANCHOR_END: write
