//! # 02.5 Naturally idempotent PUT and DELETE
//!
//! **The race.** PUT and DELETE are idempotent by definition (RFC 9110):
//! sent twice, they must leave the state as sent once. A PUT that bumps the
//! version and emits an event every time it is repeated breaks that for
//! everyone who follows the change feed (webhooks, the search index, the
//! cache); so does a DELETE that emits "deleted" twice. And two identical
//! PUTs at once must still count as one change.
//!
//! **Your task.** `put` parses the body (bad JSON: `DocError::InvalidJson`),
//! hashes its content with `content_hash`, and under one lock compares it with
//! the live document's: the same is `Unchanged` (no version bump, no event),
//! else `Created` or `Updated` with the next version and one event. `delete`
//! turns a live document into a tombstone that keeps its version (one event),
//! and answers `AlreadyGone` otherwise. A document put again after a delete
//! continues its version.
//!
//! **The spec checks** each outcome and event; that the same JSON with its
//! keys reordered is unchanged; that versions are never reused; and that 50
//! identical PUTs or DELETEs at once change the document once (20 rounds).
//!
//! Run `cargo xtask test 02.5`; stuck? `cargo xtask hint 02.5`.

use racecourse_02::documents::{Delete, DocError, Document, Documents, Event, Put};

pub struct MemDocuments {}

impl Documents for MemDocuments {
    fn new() -> Self {
        MemDocuments {}
    }

    async fn put(&self, id: &str, body: &str) -> Result<Put, DocError> {
        todo!("02.5 exercises/02-idempotency/src/documents.rs: MemDocuments::put({id}, {body})")
    }

    async fn delete(&self, id: &str) -> Delete {
        todo!("02.5 exercises/02-idempotency/src/documents.rs: MemDocuments::delete({id})")
    }

    async fn get(&self, id: &str) -> Option<Document> {
        todo!("02.5 exercises/02-idempotency/src/documents.rs: MemDocuments::get({id})")
    }

    async fn events(&self) -> Vec<Event> {
        todo!("02.5 exercises/02-idempotency/src/documents.rs: MemDocuments::events")
    }
}
