//! Spec of 02.5: each outcome and event of PUT and DELETE, then identical
//! requests at once on four worker threads.

use super::erased::DynDocuments;
use super::together;
use crate::documents::{Change, Delete, DocError, Event, Put};
use racecourse_kit::i18n::t;
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
        "{}",
        t!("spec-02-5-creates")
    );
    assert_eq!(
        docs.put("p1", v1).await,
        Ok(Put::Unchanged { version: 1 }),
        "{}",
        t!("spec-02-5-same-put")
    );
    assert_eq!(
        docs.put("p1", v1_reordered).await,
        Ok(Put::Unchanged { version: 1 }),
        "{}",
        t!("spec-02-5-reordered")
    );
    assert_eq!(
        docs.put("p1", v2).await,
        Ok(Put::Updated { version: 2 }),
        "{}",
        t!("spec-02-5-updated")
    );
    let doc = docs
        .get("p1")
        .await
        .unwrap_or_else(|| panic!("{}", t!("spec-02-5-p1-after")));
    assert_eq!(doc.version, 2, "{}", t!("spec-02-5-version"));
    assert_eq!(
        doc.body,
        serde_json::from_str::<serde_json::Value>(v2).unwrap(),
        "{}",
        t!("spec-02-5-body")
    );
    assert_eq!(
        docs.events().await,
        vec![
            event("p1", Change::Created, 1),
            event("p1", Change::Updated, 2)
        ],
        "{}",
        t!("spec-02-5-two-events")
    );
}

/// A second DELETE is AlreadyGone with no event; a PUT after the delete
/// continues the version, so no old ETag can match the new document.
pub async fn a_repeated_delete_changes_nothing(make: MakeDocuments) {
    let docs = make();
    assert_eq!(
        docs.delete("p1").await,
        Delete::AlreadyGone,
        "{}",
        t!("spec-02-5-never-was")
    );
    docs.put("p1", r#"{"v":1}"#).await.unwrap();
    docs.put("p1", r#"{"v":2}"#).await.unwrap();
    assert_eq!(
        docs.delete("p1").await,
        Delete::Deleted,
        "{}",
        t!("spec-02-5-deleting-live")
    );
    assert_eq!(
        docs.delete("p1").await,
        Delete::AlreadyGone,
        "{}",
        t!("spec-02-5-delete-again")
    );
    assert_eq!(docs.get("p1").await, None, "{}", t!("spec-02-5-gone"));
    assert_eq!(
        docs.put("p1", r#"{"v":1}"#).await,
        Ok(Put::Created { version: 3 }),
        "{}",
        t!("spec-02-5-tombstone")
    );
    assert_eq!(
        docs.events().await,
        vec![
            event("p1", Change::Created, 1),
            event("p1", Change::Updated, 2),
            event("p1", Change::Deleted, 2),
            event("p1", Change::Created, 3),
        ],
        "{}",
        t!("spec-02-5-one-deleted-event")
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
            "{}",
            t!(
                "spec-02-5-invalid-json",
                bad = format!("{bad:?}"),
                got = format!("{result:?}")
            )
        );
    }
    assert_eq!(
        docs.get("p1").await.map(|d| d.version),
        Some(1),
        "{}",
        t!("spec-02-5-refused-unchanged")
    );
    assert_eq!(
        docs.events().await.len(),
        1,
        "{}",
        t!("spec-02-5-refused-no-event")
    );
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
                "{}",
                t!(
                    "spec-02-5-puts-once",
                    round = round,
                    at_once = AT_ONCE,
                    body = body,
                    changed = changed,
                    unchanged = AT_ONCE - 1,
                    changes = changes
                )
            );
        }
        let deletes = together(AT_ONCE, |_| {
            let (docs, id) = (docs.clone(), id.clone());
            async move { docs.delete(&id).await }
        })
        .await;
        let deleted = deletes.iter().filter(|d| **d == Delete::Deleted).count();
        assert_eq!(
            deleted,
            1,
            "{}",
            t!(
                "spec-02-5-deletes-once",
                round = round,
                at_once = AT_ONCE,
                deleted = deleted
            )
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
            "{}",
            t!(
                "spec-02-5-three-events",
                round = round,
                at_once = AT_ONCE,
                made = mine.len(),
                events = format!("{mine:?}")
            )
        );
    }
}
