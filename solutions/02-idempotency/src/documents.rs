//! 02.5: PUT and DELETE, idempotent by their nature. Each decision (same
//! content or not, live or not) and its write happen under one lock, with
//! the event, so two identical requests at once change the document once.

use racecourse_02::documents::{
    Change, Delete, DocError, Document, Documents, Event, Put, content_hash,
};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// A document's place: its last version, and its content while it is live.
/// After a delete the slot stays, as a tombstone, so the version goes on.
#[derive(Default)]
struct Slot {
    version: u64,
    live: Option<(u64, Value)>,
}

#[derive(Default)]
struct State {
    slots: HashMap<String, Slot>,
    events: Vec<Event>,
}

pub struct MemDocuments {
    state: Mutex<State>,
}

// ANCHOR: documents
impl Documents for MemDocuments {
    fn new() -> Self {
        MemDocuments {
            state: Mutex::new(State::default()),
        }
    }

    async fn put(&self, id: &str, body: &str) -> Result<Put, DocError> {
        let body: Value =
            serde_json::from_str(body).map_err(|e| DocError::InvalidJson(e.to_string()))?;
        let hash = content_hash(&body);
        let mut state = self.state.lock().unwrap();
        let slot = state.slots.entry(id.to_string()).or_default();
        let change = match &slot.live {
            Some((same, _)) if *same == hash => {
                return Ok(Put::Unchanged {
                    version: slot.version,
                });
            }
            Some(_) => Change::Updated,
            None => Change::Created,
        };
        slot.version += 1;
        slot.live = Some((hash, body));
        let version = slot.version;
        state.events.push(Event {
            id: id.to_string(),
            change,
            version,
        });
        Ok(match change {
            Change::Created => Put::Created { version },
            _ => Put::Updated { version },
        })
    }

    async fn delete(&self, id: &str) -> Delete {
        let mut state = self.state.lock().unwrap();
        let Some(slot) = state.slots.get_mut(id).filter(|s| s.live.is_some()) else {
            return Delete::AlreadyGone;
        };
        slot.live = None;
        let version = slot.version;
        state.events.push(Event {
            id: id.to_string(),
            change: Change::Deleted,
            version,
        });
        Delete::Deleted
    }

    async fn get(&self, id: &str) -> Option<Document> {
        let state = self.state.lock().unwrap();
        let slot = state.slots.get(id)?;
        let (_, body) = slot.live.as_ref()?;
        Some(Document {
            version: slot.version,
            body: body.clone(),
        })
    }

    async fn events(&self) -> Vec<Event> {
        self.state.lock().unwrap().events.clone()
    }
}

// ANCHOR_END: documents
