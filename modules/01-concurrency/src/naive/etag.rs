//! PUT overwrites: the ETag is sent but If-Match is never looked at.

use crate::etag::{Document, no_document};
use crate::think;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use racecourse_kit::problem::{Json, Path, Problem};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Docs = Arc<Mutex<HashMap<String, Document>>>;

pub fn router(seed: Vec<(String, Value)>) -> Router {
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
        .route("/documents/{id}", get(read).put(overwrite))
        .with_state(Arc::new(Mutex::new(docs)))
}

async fn read(
    State(docs): State<Docs>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, Problem> {
    let doc = docs
        .lock()
        .unwrap()
        .get(&id)
        .cloned()
        .ok_or_else(|| no_document(&id))?;
    Ok(([(header::ETAG, doc.etag())], Json(doc.content)))
}

async fn overwrite(
    State(docs): State<Docs>,
    Path(id): Path<String>,
    Json(content): Json<Value>,
) -> Result<impl IntoResponse, Problem> {
    let version = docs
        .lock()
        .unwrap()
        .get(&id)
        .map(|d| d.version)
        .ok_or_else(|| no_document(&id))?;
    think().await;
    let doc = Document {
        version: version + 1,
        content,
    };
    docs.lock().unwrap().insert(id, doc.clone());
    Ok(([(header::ETAG, doc.etag())], Json(doc.content)))
}
