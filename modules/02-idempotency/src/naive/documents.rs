//! 02.5, naive: every PUT writes, every DELETE reports. The state ends the
//! same, but the version and the change feed count the repeats: a retried
//! PUT fires its webhook again and breaks every client's If-Match.

use crate::documents::{Change, Delete, DocError, Document, Documents, Event, Put};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct AlwaysWrite {
    state: Mutex<(HashMap<String, Document>, Vec<Event>)>,
}

impl Documents for AlwaysWrite {
    fn new() -> Self {
        AlwaysWrite::default()
    }

    // ANCHOR: naive
    async fn put(&self, id: &str, body: &str) -> Result<Put, DocError> {
        let body: Value =
            serde_json::from_str(body).map_err(|e| DocError::InvalidJson(e.to_string()))?;
        let mut guard = self.state.lock().unwrap();
        let (docs, events) = &mut *guard;
        let version = docs.get(id).map_or(0, |d| d.version) + 1;
        let change = if docs.contains_key(id) {
            Change::Updated
        } else {
            Change::Created
        };
        docs.insert(id.to_string(), Document { version, body });
        events.push(Event {
            id: id.to_string(),
            change,
            version,
        });
        Ok(match change {
            Change::Created => Put::Created { version },
            _ => Put::Updated { version },
        })
    }

    // ANCHOR_END: naive
    async fn delete(&self, id: &str) -> Delete {
        let mut guard = self.state.lock().unwrap();
        let (docs, events) = &mut *guard;
        let version = docs.remove(id).map_or(0, |d| d.version);
        events.push(Event {
            id: id.to_string(),
            change: Change::Deleted,
            version,
        });
        Delete::Deleted
    }

    async fn get(&self, id: &str) -> Option<Document> {
        self.state.lock().unwrap().0.get(id).cloned()
    }

    async fn events(&self) -> Vec<Event> {
        self.state.lock().unwrap().1.clone()
    }
}
