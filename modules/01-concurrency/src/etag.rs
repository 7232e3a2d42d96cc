//! Exercise 01.7: guarding a REST resource against lost updates with HTTP's own
//! optimistic concurrency: `ETag` on reads, `If-Match` on writes (RFC 9110, 13.1.1),
//! 412 Precondition Failed for a stale write, 428 Precondition Required (RFC 6585)
//! for a write that does not say what it saw.

use axum::http::{HeaderMap, StatusCode, header};
use racecourse_kit::problem::Problem;
use serde_json::Value;

/// A stored document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub version: u64,
    pub content: Value,
}

impl Document {
    /// The strong entity tag of this version of the document.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }
}

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current representation.
    Any,
    /// A list of strong entity tags, quotes included.
    Tags(Vec<String>),
}

impl IfMatch {
    /// True if `doc` is what the client says it saw.
    pub fn matches(&self, doc: &Document) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Tags(tags) => tags.iter().any(|t| *t == doc.etag()),
        }
    }
}

/// Reads `If-Match`. `Ok(None)` when it is absent (answer 428); a problem with
/// 400 when it is not valid text. Weak tags (`W/"1"`) never match: If-Match uses
/// the strong comparison, so they are dropped.
pub fn parse_if_match(headers: &HeaderMap) -> Result<Option<IfMatch>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| Problem::bad_request("If-Match is not visible ASCII"))?
        .trim();
    if text == "*" {
        return Ok(Some(IfMatch::Any));
    }
    let tags: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|t| !t.starts_with("W/"))
        .map(str::to_string)
        .collect();
    if tags
        .iter()
        .any(|t| t.len() < 2 || !t.starts_with('"') || !t.ends_with('"'))
    {
        return Err(Problem::bad_request(format!(
            "If-Match must be * or a list of quoted entity tags, got {text}"
        )));
    }
    Ok(Some(IfMatch::Tags(tags)))
}

/// 428: the client must say which version it is replacing.
pub fn precondition_required() -> Problem {
    Problem::new(
        StatusCode::PRECONDITION_REQUIRED,
        "send If-Match with the ETag you read, so a write cannot silently overwrite another",
    )
}

/// 412: the document changed since the client read it.
pub fn precondition_failed(current: &Document) -> Problem {
    Problem::new(
        StatusCode::PRECONDITION_FAILED,
        format!(
            "the document is now at {}; read it again and reapply your change",
            current.etag()
        ),
    )
}

/// 404 for a document id.
pub fn no_document(id: &str) -> Problem {
    Problem::not_found(format!("no document {id}"))
}
