//! Exercise 02.5: PUT and DELETE that are idempotent by their nature: sent
//! twice, they leave the state as once, and a change feed that sees only
//! real changes. No key is needed, only care.

use serde_json::Value;
use std::collections::hash_map::DefaultHasher;
use std::future::Future;
use std::hash::{Hash, Hasher};

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Counts the changes; never reused, so an ETag made from it never
    /// matches another content.
    pub version: u64,
    pub body: Value,
}

/// What a PUT did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// There was no live document: it is now at this version.
    Created { version: u64 },
    /// The content changed: the new version.
    Updated { version: u64 },
    /// The same content was there: nothing happened, no event.
    Unchanged { version: u64 },
}

/// What a DELETE did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delete {
    /// The live document is gone (one event).
    Deleted,
    /// There was nothing to delete: nothing happened, no event. The state is
    /// the same as after `Deleted`, which is what makes DELETE idempotent.
    AlreadyGone,
}

/// An entry of the change feed: one per real change, for the webhooks, the
/// search index and the cache that follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub change: Change,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    #[error("the body is not JSON: {0}")]
    InvalidJson(String),
}

/// Documents by id, with PUT and DELETE semantics (RFC 9110, 9.2.2).
pub trait Documents: Send + Sync + 'static {
    fn new() -> Self;

    /// Stores `body` (JSON text) as document `id`.
    fn put(&self, id: &str, body: &str) -> impl Future<Output = Result<Put, DocError>> + Send;

    /// Deletes document `id`.
    fn delete(&self, id: &str) -> impl Future<Output = Delete> + Send;

    /// The live document `id`.
    fn get(&self, id: &str) -> impl Future<Output = Option<Document>> + Send;

    /// The change feed so far, oldest first.
    fn events(&self) -> impl Future<Output = Vec<Event>> + Send;
}

/// A hash of `value`'s content: the same for the same JSON whatever the order
/// of its objects' keys (which serde_json may keep as sent) and its spacing.
pub fn content_hash(value: &Value) -> u64 {
    let mut hasher = DefaultHasher::new();
    hash_value(value, &mut hasher);
    hasher.finish()
}

fn hash_value(value: &Value, hasher: &mut DefaultHasher) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.write_u8(b'{');
            for key in keys {
                key.hash(hasher);
                hash_value(&map[key], hasher);
            }
        }
        Value::Array(items) => {
            hasher.write_u8(b'[');
            hasher.write_usize(items.len());
            items.iter().for_each(|item| hash_value(item, hasher));
        }
        scalar => scalar.to_string().hash(hasher),
    }
}
