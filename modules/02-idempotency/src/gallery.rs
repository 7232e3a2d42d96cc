//! Module 02's gallery: for each exercise, the naive code ([`crate::naive`]) and
//! the fixes students really write that almost work ([`crate::wrong`]), each
//! bound to the exercise's checks. `tests/gallery.rs` proves the spec catches
//! every one of them on every run; `cargo xtask stress <id> --impl <name>`
//! repeats one of them.
//!
//! Adding a wrong fix: write it in `wrong/<exercise file>.rs` with a doc comment
//! saying why it is wrong, add a [`Suspect`] here, and include it by anchor in
//! the exercise's book page under "Fixes that almost work".

use crate::naive;
use crate::spec as s;
use crate::spec::erased as e;
use crate::wrong;
use racecourse_kit::gallery::Suspect;

/// Every wrong implementation of module 02, with what its failure must say.
pub fn suspects() -> Vec<Suspect> {
    use wrong::documents as d;
    use wrong::layer as l;
    use wrong::payments as p;
    use wrong::redis_store as r;
    use wrong::store as w;
    let suspect = |exercise, name, title, expect, checks| Suspect {
        exercise,
        name,
        title,
        expect,
        checks,
    };
    vec![
        suspect(
            "02.1",
            "naive",
            "no in-flight state: a retry at work is New",
            "the work runs twice",
            || s::store::checks(e::idempotency_store::<naive::store::NoClaimStore>),
        ),
        suspect(
            "02.1",
            "check-then-insert",
            "look the key up, await, then claim it",
            "must be one step",
            || s::store::checks(e::idempotency_store::<w::CheckThenInsert>),
        ),
        suspect(
            "02.1",
            "two-locks",
            "look-up and claim under two lock acquisitions",
            "must be one step",
            || s::store::checks(e::idempotency_store::<w::TwoLocks>),
        ),
        suspect(
            "02.1",
            "fingerprint-ignored",
            "answers by key alone, body not compared",
            "reused key",
            || s::store::checks(e::idempotency_store::<w::FingerprintIgnored>),
        ),
        suspect(
            "02.1",
            "one-expiry",
            "the claim lives as long as the retention",
            "blocks its retry",
            || s::store::checks(e::idempotency_store::<w::OneExpiry>),
        ),
        suspect(
            "02.2",
            "naive",
            "no layer: every retry runs the handler",
            "Idempotent-Replayed|must be accepted",
            || s::layer::checks(naive::layer::no_layer),
        ),
        suspect(
            "02.2",
            "unscoped",
            "the key alone, not scoped to the user",
            "never alice's",
            || s::layer::checks(l::unscoped),
        ),
        suspect(
            "02.2",
            "no-stored-headers",
            "replays status and body, not the headers",
            "headers (Location",
            || s::layer::checks(l::no_stored_headers),
        ),
        suspect(
            "02.2",
            "no-replayed-header",
            "replays without Idempotent-Replayed",
            "Idempotent-Replayed",
            || s::layer::checks(l::no_replayed_header),
        ),
        suspect(
            "02.2",
            "stores-refusals",
            "stores the handler's 4xx too",
            "must not be stored",
            || s::layer::checks(l::stores_refusals),
        ),
        suspect(
            "02.2",
            "check-then-claim",
            "its own map, looked up then claimed after an await",
            "claimed in one step",
            || s::layer::checks(l::check_then_claim),
        ),
        suspect(
            "02.3",
            "naive",
            "GET, then SET without NX",
            "never a GET and then a SET",
            || s::redis_store::checks(e::redis_idempotency_store::<naive::redis_store::GetThenSet>),
        ),
        suspect("02.3", "no-lease", "SET NX without PX", "no TTL", || {
            s::redis_store::checks(e::redis_idempotency_store::<r::NoLease>)
        }),
        suspect(
            "02.3",
            "get-then-set-nx",
            "GET, then SET NX PX, answering from the GET",
            "answered from what it read before",
            || s::redis_store::checks(e::redis_idempotency_store::<r::GetThenSetNx>),
        ),
        suspect(
            "02.3",
            "no-retention",
            "complete with a plain SET, no TTL",
            "retention (24 h), not never",
            || s::redis_store::checks(e::redis_idempotency_store::<r::NoRetention>),
        ),
        suspect(
            "02.3",
            "del-abandon",
            "abandon with a plain DEL",
            "deleted the stored response",
            || s::redis_store::checks(e::redis_idempotency_store::<r::DelAbandon>),
        ),
        suspect(
            "02.4",
            "naive",
            "a payment per request, no key",
            "different receipts",
            || s::payments::checks(e::payments::<naive::payments::NoKeyPayments>),
        ),
        suspect(
            "02.4",
            "check-then-insert",
            "SELECT the key, then a plain INSERT",
            "identical requests failed",
            || s::payments::checks(e::payments::<p::CheckThenInsert>),
        ),
        suspect(
            "02.4",
            "one-transaction",
            "claim, payment, charge and receipt in one transaction",
            "the gateway charged 2 times",
            || s::payments::checks(e::payments::<p::OneTransaction>),
        ),
        suspect(
            "02.4",
            "start-over",
            "recovery points written but never read",
            "the gateway charged 2 times",
            || s::payments::checks(e::payments::<p::StartOver>),
        ),
        suspect(
            "02.4",
            "unscoped-key",
            "the key looked up without the user",
            "Keys are scoped to the user",
            || s::payments::checks(e::payments::<p::UnscopedKey>),
        ),
        suspect(
            "02.4",
            "no-fingerprint",
            "a stored receipt replayed whatever the amount",
            "must be refused with KeyReused",
            || s::payments::checks(e::payments::<p::NoFingerprint>),
        ),
        suspect(
            "02.4",
            "reaper-backwards",
            "the reaper's comparison the wrong way round",
            "the reaper must delete the two older than a day",
            || s::payments::checks(e::payments::<p::ReaperBackwards>),
        ),
        suspect(
            "02.5",
            "naive",
            "every PUT writes, every DELETE reports",
            "must be Unchanged at version 1",
            || s::documents::checks(e::documents::<naive::documents::AlwaysWrite>),
        ),
        suspect(
            "02.5",
            "raw-bytes-hash",
            "the body hashed as sent",
            "Hash the parsed value",
            || s::documents::checks(e::documents::<d::RawBytesHash>),
        ),
        suspect(
            "02.5",
            "check-then-write",
            "compare under the lock, write under it again",
            "Compare and write under one lock",
            || s::documents::checks(e::documents::<d::CheckThenWrite>),
        ),
        suspect(
            "02.5",
            "delete-forgets-version",
            "DELETE removes the entry, and the version with it",
            "Keep a tombstone",
            || s::documents::checks(e::documents::<d::DeleteForgetsVersion>),
        ),
        suspect(
            "02.5",
            "delete-event-always",
            "a Deleted event for every DELETE",
            "make one Deleted event",
            || s::documents::checks(e::documents::<d::DeleteEventAlways>),
        ),
    ]
}
