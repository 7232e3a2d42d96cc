//! 02.5: documents that look idempotent. They share the right state and its
//! right steps ([`Shelf`]); each gets one step wrong.

use crate::documents::{Change, Delete, DocError, Document, Documents, Event, Put, content_hash};
use crate::think;
use serde_json::Value;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

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

impl State {
    /// Writes a changed content: the next version and its event.
    fn write(&mut self, id: &str, hash: u64, body: Value) -> Put {
        let slot = self.slots.entry(id.to_string()).or_default();
        let change = if slot.live.is_some() {
            Change::Updated
        } else {
            Change::Created
        };
        slot.version += 1;
        slot.live = Some((hash, body));
        let version = slot.version;
        self.events.push(Event {
            id: id.to_string(),
            change,
            version,
        });
        match change {
            Change::Created => Put::Created { version },
            _ => Put::Updated { version },
        }
    }

    /// `Unchanged` if `id`'s live content has this hash.
    fn unchanged(&self, id: &str, hash: u64) -> Option<Put> {
        let slot = self.slots.get(id)?;
        match &slot.live {
            Some((same, _)) if *same == hash => Some(Put::Unchanged {
                version: slot.version,
            }),
            _ => None,
        }
    }
}

/// The state under one lock, with the steps the wrong fixes below get right.
#[derive(Default)]
pub struct Shelf {
    state: Mutex<State>,
}

fn parse(body: &str) -> Result<Value, DocError> {
    serde_json::from_str(body).map_err(|e| DocError::InvalidJson(e.to_string()))
}

impl Shelf {
    fn put_hashed(&self, id: &str, hash: u64, body: Value) -> Put {
        let mut state = self.state.lock().unwrap();
        state
            .unchanged(id, hash)
            .unwrap_or_else(|| state.write(id, hash, body))
    }

    fn delete(&self, id: &str) -> Delete {
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

    fn get(&self, id: &str) -> Option<Document> {
        let state = self.state.lock().unwrap();
        let slot = state.slots.get(id)?;
        let (_, body) = slot.live.as_ref()?;
        Some(Document {
            version: slot.version,
            body: body.clone(),
        })
    }
}

/// Makes each wrong fix a [`Documents`] from its own `put` and `delete`.
macro_rules! documents_on_a_shelf {
    ($($name:ident),*) => {$(
        #[derive(Default)]
        pub struct $name(Shelf);

        impl Documents for $name {
            fn new() -> Self {
                $name::default()
            }
            async fn put(&self, id: &str, body: &str) -> Result<Put, DocError> {
                self.put_body(id, body).await
            }
            async fn delete(&self, id: &str) -> Delete {
                self.delete_doc(id)
            }
            async fn get(&self, id: &str) -> Option<Document> {
                self.0.get(id)
            }
            async fn events(&self) -> Vec<Event> {
                self.0.state.lock().unwrap().events.clone()
            }
        }
    )*};
}

documents_on_a_shelf!(
    RawBytesHash,
    CheckThenWrite,
    DeleteForgetsVersion,
    DeleteEventAlways
);

// ANCHOR: raw_bytes_hash
/// Hashes the body as sent. The same JSON with its keys in another order, or
/// other spaces, as another client library or a retry through a proxy sends
/// it, counts as a change.
impl RawBytesHash {
    async fn put_body(&self, id: &str, body: &str) -> Result<Put, DocError> {
        let value = parse(body)?;
        let mut hasher = DefaultHasher::new();
        body.hash(&mut hasher);
        Ok(self.0.put_hashed(id, hasher.finish(), value))
    }
}
// ANCHOR_END: raw_bytes_hash

// ANCHOR: check_then_write
/// Compares under the lock, then writes under the lock taken again. Two
/// identical PUTs at once both find the old content, and both write it: two
/// versions and two events for one change.
impl CheckThenWrite {
    async fn put_body(&self, id: &str, body: &str) -> Result<Put, DocError> {
        let value = parse(body)?;
        let hash = content_hash(&value);
        let unchanged = self.0.state.lock().unwrap().unchanged(id, hash);
        if let Some(put) = unchanged {
            return Ok(put);
        }
        think().await;
        Ok(self.0.state.lock().unwrap().write(id, hash, value))
    }
}
// ANCHOR_END: check_then_write

// ANCHOR: delete_forgets_version
/// Removes the document outright. A PUT after it starts again at version 1,
/// and a client still holding the ETag of the old version 1 overwrites the
/// new document with `If-Match` passing.
impl DeleteForgetsVersion {
    fn delete_doc(&self, id: &str) -> Delete {
        let mut state = self.0.state.lock().unwrap();
        match state.slots.remove(id) {
            Some(Slot {
                version,
                live: Some(_),
            }) => {
                state.events.push(Event {
                    id: id.to_string(),
                    change: Change::Deleted,
                    version,
                });
                Delete::Deleted
            }
            _ => Delete::AlreadyGone,
        }
    }
}
// ANCHOR_END: delete_forgets_version

// ANCHOR: delete_event_always
/// Answers AlreadyGone right, but tells the change feed "deleted" every
/// time: the webhook fires for each retry.
impl DeleteEventAlways {
    fn delete_doc(&self, id: &str) -> Delete {
        let outcome = self.0.delete(id);
        if outcome == Delete::AlreadyGone {
            let mut state = self.0.state.lock().unwrap();
            let version = state.slots.get(id).map_or(0, |s| s.version);
            state.events.push(Event {
                id: id.to_string(),
                change: Change::Deleted,
                version,
            });
        }
        outcome
    }
}
// ANCHOR_END: delete_event_always

/// The right `put` and `delete`, for the fixes that get the other one wrong.
macro_rules! right {
    (put: $($name:ident),*) => {$(
        impl $name {
            async fn put_body(&self, id: &str, body: &str) -> Result<Put, DocError> {
                let value = parse(body)?;
                Ok(self.0.put_hashed(id, content_hash(&value), value))
            }
        }
    )*};
    (delete: $($name:ident),*) => {$(
        impl $name {
            fn delete_doc(&self, id: &str) -> Delete {
                self.0.delete(id)
            }
        }
    )*};
}

right!(put: DeleteForgetsVersion, DeleteEventAlways);
right!(delete: RawBytesHash, CheckThenWrite);
