//! Exercise 02.3: the idempotency store of 02.1, on Redis, so that every
//! instance of a service shares it.
//!
//! A key's entry is one Redis string under [`entry_key`]: while a request
//! works on it, the in-flight marker [`in_flight`] (with the request's
//! fingerprint) and a lease as its TTL; once the request completed,
//! [`completed`] (the fingerprint and the response) and the retention as its
//! TTL. [`Entry::decode`] reads either back and [`Entry::answer`] says what
//! `begin` answers for it. Nothing here talks to Redis: that is the exercise.

use crate::store::{Begin, StoredResponse};
use redis::RedisResult;
use redis::aio::ConnectionManager;
use std::future::Future;
use std::time::Duration;

/// The idempotency store, on Redis. The same answers as 02.1's
/// [`crate::IdempotencyStore`]; Redis keeps time, so the spec waits in real time.
pub trait RedisIdempotencyStore: Send + Sync + 'static {
    /// A store whose every key starts with `prefix`. Completed entries are kept
    /// for `retention` after they complete; a claim lapses `lease` after it was
    /// taken.
    fn new(conn: ConnectionManager, prefix: String, retention: Duration, lease: Duration) -> Self
    where
        Self: Sized;

    /// Claims `key` if nobody holds it, with one atomic command (`SET NX PX`),
    /// or else answers by what the key holds: of many requests racing with one
    /// key exactly one gets `New`.
    fn begin(
        &self,
        key: &str,
        fingerprint: &str,
    ) -> impl Future<Output = RedisResult<Begin>> + Send;

    /// Stores the claimed request's response under `key`, with its
    /// fingerprint, for `retention` from now.
    fn complete(
        &self,
        key: &str,
        response: StoredResponse,
    ) -> impl Future<Output = RedisResult<()>> + Send;

    /// Deletes the claim on `key`, only if it is still an in-flight claim: a
    /// completed entry stays.
    fn abandon(&self, key: &str) -> impl Future<Output = RedisResult<()>> + Send;
}

/// The Redis key holding `key`'s entry.
pub fn entry_key(prefix: &str, key: &str) -> String {
    format!("{prefix}idem:{key}")
}

/// How an in-flight entry's value starts: `in_flight\n<fingerprint>`.
pub const IN_FLIGHT: &str = "in_flight\n";
/// How a completed entry's value starts:
/// `completed\n<fingerprint>\n<the response as JSON>`.
pub const COMPLETED: &str = "completed\n";

/// The value of a claim: the in-flight marker and the fingerprint (which holds
/// no newline: it is a hash in 02.2).
pub fn in_flight(fingerprint: &str) -> String {
    format!("{IN_FLIGHT}{fingerprint}")
}

/// The value of a completed entry. A Lua script that turns a claim
/// (`IN_FLIGHT .. fingerprint`) into this writes
/// `COMPLETED .. fingerprint .. '\n' .. response_json(response)`.
pub fn completed(fingerprint: &str, response: &StoredResponse) -> String {
    format!("{COMPLETED}{fingerprint}\n{}", response_json(response))
}

/// The response as one line of JSON, the last part of a completed entry.
pub fn response_json(response: &StoredResponse) -> String {
    serde_json::json!({
        "status": response.status,
        "headers": response.headers,
        "body": response.body,
    })
    .to_string()
}

/// An entry, read back from its Redis value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    InFlight {
        fingerprint: String,
    },
    Completed {
        fingerprint: String,
        response: StoredResponse,
    },
}

impl Entry {
    /// Reads a value written as [`in_flight`] or [`completed`]; `None` for
    /// anything else.
    pub fn decode(value: &str) -> Option<Entry> {
        if let Some(fingerprint) = value.strip_prefix(IN_FLIGHT) {
            return Some(Entry::InFlight {
                fingerprint: fingerprint.to_string(),
            });
        }
        let (fingerprint, json) = value.strip_prefix(COMPLETED)?.split_once('\n')?;
        let v: serde_json::Value = serde_json::from_str(json).ok()?;
        let headers = v["headers"]
            .as_array()?
            .iter()
            .map(|h| Some((h[0].as_str()?.to_string(), h[1].as_str()?.to_string())))
            .collect::<Option<Vec<_>>>()?;
        Some(Entry::Completed {
            fingerprint: fingerprint.to_string(),
            response: StoredResponse {
                status: u16::try_from(v["status"].as_u64()?).ok()?,
                headers,
                body: v["body"].as_str()?.to_string(),
            },
        })
    }

    /// What `begin` with `fingerprint` answers for this live entry: another
    /// fingerprint is `Mismatch`, else `InFlight` or `Replay`.
    pub fn answer(&self, fingerprint: &str) -> Begin {
        match self {
            Entry::InFlight { fingerprint: f } | Entry::Completed { fingerprint: f, .. }
                if f != fingerprint =>
            {
                Begin::Mismatch
            }
            Entry::InFlight { .. } => Begin::InFlight,
            Entry::Completed { response, .. } => Begin::Replay(response.clone()),
        }
    }
}
