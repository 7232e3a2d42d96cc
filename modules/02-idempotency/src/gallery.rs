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
    use wrong::layer as l;
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
    ]
}
