//! Spec of 02.5: each outcome and event of PUT and DELETE, then identical
//! requests at once on four worker threads.

use super::erased::DynDocuments;
use super::together;
use crate::documents::{Change, Delete, DocError, Event, Put};
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;

/// Makes an empty document store.
pub type MakeDocuments = fn() -> Arc<dyn DynDocuments>;

const AT_ONCE: usize = 50;
const ROUNDS: usize = 20;

/// The checks of 02.5.
pub fn checks(make: MakeDocuments) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "a_repeated_put_changes_nothing",
            threads,
            a_repeated_put_changes_nothing(make),
        ),
        Check::new(
            "a_repeated_delete_changes_nothing",
            threads,
            a_repeated_delete_changes_nothing(make),
        ),
        Check::new("bad_json_is_refused", threads, bad_json_is_refused(make)),
        Check::new(
            "identical_requests_at_once_change_once",
            threads,
            identical_requests_at_once_change_once(make),
        ),
    ]
}

fn event(id: &str, change: Change, version: u64) -> Event {
    Event {
        id: id.to_string(),
        change,
        version,
    }
}

/// The same content again, even reordered and spaced otherwise, is
/// Unchanged; another content is the next version; one event per change.
pub async fn a_repeated_put_changes_nothing(make: MakeDocuments) {
    let docs = make();
    let v1 = r#"{"name":"Ann","tags":["a","b"],"address":{"city":"Lviv","zip":"79000"}}"#;
    let v1_reordered =
        r#"{ "address": {"zip": "79000", "city": "Lviv"}, "tags": ["a", "b"], "name": "Ann" }"#;
    let v2 = r#"{"name":"Ann","tags":["b","a"],"address":{"city":"Lviv","zip":"79000"}}"#;
    assert_eq!(
        docs.put("p1", v1).await,
        Ok(Put::Created { version: 1 }),
        "a first PUT creates"
    );
    assert_eq!(
        docs.put("p1", v1).await,
        Ok(Put::Unchanged { version: 1 }),
        "the same PUT again must be Unchanged at version 1: no bump, no event"
    );
    assert_eq!(
        docs.put("p1", v1_reordered).await,
        Ok(Put::Unchanged { version: 1 }),
        "the same JSON with its keys in another order and other spaces is the same content: \
         Unchanged. Hash the parsed value (content_hash), not the bytes as sent"
    );
    assert_eq!(
        docs.put("p1", v2).await,
        Ok(Put::Updated { version: 2 }),
        "another content (an array's order counts) is Updated to version 2"
    );
    let doc = docs.get("p1").await.expect("p1 after its PUTs");
    assert_eq!(doc.version, 2, "the document's version");
    assert_eq!(
        doc.body,
        serde_json::from_str::<serde_json::Value>(v2).unwrap(),
        "the body"
    );
    assert_eq!(
        docs.events().await,
        vec![
            event("p1", Change::Created, 1),
            event("p1", Change::Updated, 2)
        ],
        "four PUTs, two changes: exactly two events"
    );
}

/// A second DELETE is AlreadyGone with no event; a PUT after the delete
/// continues the version, so no old ETag can match the new document.
pub async fn a_repeated_delete_changes_nothing(make: MakeDocuments) {
    let docs = make();
    assert_eq!(
        docs.delete("p1").await,
        Delete::AlreadyGone,
        "deleting what never was is AlreadyGone"
    );
    docs.put("p1", r#"{"v":1}"#).await.unwrap();
    docs.put("p1", r#"{"v":2}"#).await.unwrap();
    assert_eq!(
        docs.delete("p1").await,
        Delete::Deleted,
        "deleting a live document"
    );
    assert_eq!(
        docs.delete("p1").await,
        Delete::AlreadyGone,
        "the same DELETE again is AlreadyGone: the state is as after one"
    );
    assert_eq!(docs.get("p1").await, None, "a deleted document is gone");
    assert_eq!(
        docs.put("p1", r#"{"v":1}"#).await,
        Ok(Put::Created { version: 3 }),
        "p1 was at version 2 when deleted; put again it must be Created at version 3, not 1: \
         a version number reused lets a client's old If-Match match a new document. Keep a \
         tombstone with the version"
    );
    assert_eq!(
        docs.events().await,
        vec![
            event("p1", Change::Created, 1),
            event("p1", Change::Updated, 2),
            event("p1", Change::Deleted, 2),
            event("p1", Change::Created, 3),
        ],
        "two DELETEs of one document make one Deleted event"
    );
}

/// Bad JSON is refused, and changes nothing.
pub async fn bad_json_is_refused(make: MakeDocuments) {
    let docs = make();
    docs.put("p1", r#"{"v":1}"#).await.unwrap();
    for bad in ["{", "", "{\"v\":1}}"] {
        let result = docs.put("p1", bad).await;
        assert!(
            matches!(result, Err(DocError::InvalidJson(_))),
            "a PUT of {bad:?} must be refused with InvalidJson, got {result:?}"
        );
    }
    assert_eq!(
        docs.get("p1").await.map(|d| d.version),
        Some(1),
        "a refused PUT changes nothing"
    );
    assert_eq!(docs.events().await.len(), 1, "a refused PUT makes no event");
}

/// 50 identical PUTs at once: one Created, the rest Unchanged; 50 PUTs of a
/// new content: one Updated; 50 DELETEs: one Deleted. One event each, every round.
pub async fn identical_requests_at_once_change_once(make: MakeDocuments) {
    let docs = make();
    for round in 1..=ROUNDS {
        let id = format!("doc-{round}");
        for (body, changed) in [(r#"{"v":1}"#, "Created"), (r#"{"v":2}"#, "Updated")] {
            let puts = together(AT_ONCE, |_| {
                let (docs, id) = (docs.clone(), id.clone());
                async move { docs.put(&id, body).await }
            })
            .await;
            let changes = puts
                .iter()
                .filter(|p| !matches!(p, Ok(Put::Unchanged { .. })))
                .count();
            assert_eq!(
                changes,
                1,
                "round {round}: {AT_ONCE} identical PUTs of {body} at once must make one \
                 change ({changed}) and {} Unchanged; {changes} changed it. Compare and write \
                 under one lock",
                AT_ONCE - 1
            );
        }
        let deletes = together(AT_ONCE, |_| {
            let (docs, id) = (docs.clone(), id.clone());
            async move { docs.delete(&id).await }
        })
        .await;
        let deleted = deletes.iter().filter(|d| **d == Delete::Deleted).count();
        assert_eq!(
            deleted, 1,
            "round {round}: {AT_ONCE} DELETEs at once must delete once; {deleted} said Deleted"
        );
        let mine: Vec<Event> = docs
            .events()
            .await
            .into_iter()
            .filter(|e| e.id == id)
            .collect();
        assert_eq!(
            mine.len(),
            3,
            "round {round}: {AT_ONCE} identical PUTs, {AT_ONCE} more of a new content and \
             {AT_ONCE} DELETEs must make 3 events, made {}: {mine:?}",
            mine.len()
        );
    }
}
