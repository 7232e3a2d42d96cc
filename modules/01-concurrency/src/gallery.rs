//! Module 01's gallery: for each exercise, the naive code ([`crate::naive`]) and
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
use racecourse_kit::spec::Check;
use std::sync::Arc;

/// Every wrong implementation of module 01, with what its failure must say.
pub fn suspects() -> Vec<Suspect> {
    use wrong::{
        counter as c, etag as t, fencing as f, inventory as i, lease as l, ratings as r,
        versioned as v,
    };
    let suspect = |exercise, name, title, expect, checks| Suspect {
        exercise,
        name,
        title,
        expect,
        checks,
    };
    vec![
        suspect(
            "01.1",
            "naive",
            "read, yield, write",
            "increments lost",
            counter::<naive::counter::NaiveCounter>,
        ),
        suspect(
            "01.1",
            "load-then-store",
            "an atomic load, then a store",
            "increments lost",
            counter::<c::LoadThenStore>,
        ),
        suspect(
            "01.1",
            "lock-per-step",
            "a lock for the read, another for the write",
            "increments lost",
            counter::<c::LockPerStep>,
        ),
        suspect(
            "01.1",
            "cas-without-retry",
            "one compare-and-swap, no retry",
            "increments lost",
            counter::<c::CasWithoutRetry>,
        ),
        suspect("01.2", "naive", "blind write", "version", || {
            s::versioned::checks(e::versioned_store::<naive::versioned::BlindStore>)
        }),
        suspect(
            "01.2",
            "check-then-write",
            "check under one lock, write under another",
            "successful commits were lost",
            || s::versioned::checks(e::versioned_store::<v::CheckThenWrite>),
        ),
        suspect(
            "01.2",
            "key-by-key",
            "check and write one key at a time",
            "all or nothing",
            || s::versioned::checks(e::versioned_store::<v::KeyByKey>),
        ),
        suspect(
            "01.3",
            "naive",
            "no lease, anyone releases",
            "expired",
            || s::lease::checks(e::lease_lock::<naive::lease::ForeverLock>),
        ),
        suspect(
            "01.3",
            "never-expires",
            "owner tokens, no expiry, no deadline",
            "did not finish",
            || s::lease::checks(e::lease_lock::<l::NeverExpires>),
        ),
        suspect(
            "01.3",
            "any-lease-releases",
            "release by resource name only",
            "another token",
            || s::lease::checks(e::lease_lock::<l::AnyLeaseReleases>),
        ),
        suspect(
            "01.3",
            "wakes-only-on-release",
            "waits for a release, never for an expiry",
            "expires",
            || s::lease::checks(e::lease_lock::<l::WakesOnlyOnRelease>),
        ),
        suspect("01.4", "naive", "read then update", "oversold", || {
            locking(|p| Arc::new(naive::inventory::ReadThenUpdate::new(p)))
        }),
        suspect(
            "01.4",
            "lock-outside-transaction",
            "FOR UPDATE with no transaction around it",
            "oversold",
            || locking(|p| Arc::new(i::LockOutsideTransaction::new(p))),
        ),
        suspect(
            "01.4",
            "positive-check",
            "checks that some stock is left, not enough",
            "oversold|with 2 in stock",
            || locking(|p| Arc::new(i::PositiveCheck::new(p))),
        ),
        suspect(
            "01.4",
            "no-lock-timeout",
            "FOR UPDATE with no lock_timeout",
            "lock_timeout",
            || locking(|p| Arc::new(i::NoLockTimeout::new(p))),
        ),
        suspect("01.5", "naive", "read then update", "oversold", || {
            s::inventory::conditional_checks(|p| Arc::new(naive::inventory::ReadThenUpdate::new(p)))
        }),
        suspect(
            "01.5",
            "positive-guard",
            "WHERE stock - reserved > 0",
            "oversold|with 2 in stock",
            || s::inventory::conditional_checks(|p| Arc::new(i::PositiveGuard::new(p))),
        ),
        suspect(
            "01.5",
            "guarded-stale-value",
            "the right guard, a value computed before it",
            "oversold|out of step",
            || s::inventory::conditional_checks(|p| Arc::new(i::GuardedStaleValue::new(p))),
        ),
        suspect("01.6", "naive", "last write wins", "ratings lost", || {
            s::ratings::checks(|p| Arc::new(naive::ratings::LastWriteWins::new(p)))
        }),
        suspect(
            "01.6",
            "no-retry",
            "a conflict goes back to the caller",
            "ratings failed",
            || s::ratings::checks(|p| Arc::new(r::NoRetry::new(p))),
        ),
        suspect(
            "01.6",
            "rows-not-checked",
            "WHERE version, rows affected ignored",
            "ratings lost",
            || s::ratings::checks(|p| Arc::new(r::RowsNotChecked::new(p))),
        ),
        suspect("01.7", "naive", "PUT overwrites", "428", || {
            s::etag::checks(naive::etag::router)
        }),
        suspect(
            "01.7",
            "check-then-write",
            "If-Match checked, an await, then the write",
            "overwritten",
            || s::etag::checks(t::check_then_write_router),
        ),
        suspect(
            "01.7",
            "if-match-optional",
            "If-Match checked only when sent",
            "428",
            || s::etag::checks(t::if_match_optional_router),
        ),
        suspect(
            "01.8",
            "naive",
            "DEL to release, unfenced writes",
            "plain DEL",
            || s::fencing::checks(e::fenced_lock::<naive::fencing::DelLock>),
        ),
        suspect(
            "01.8",
            "fence-before-lock",
            "INCR, then SET NX PX",
            "smaller than the holder's before it",
            || s::fencing::checks(e::fenced_lock::<f::FenceBeforeLock>),
        ),
        suspect(
            "01.8",
            "get-then-del",
            "release as GET, then DEL",
            "freed the new holder's lock",
            || s::fencing::checks(e::fenced_lock::<f::GetThenDel>),
        ),
        suspect("01.8", "no-expiry", "SET NX without PX", "expire", || {
            s::fencing::checks(e::fenced_lock::<f::NoExpiry>)
        }),
        suspect(
            "01.8",
            "check-then-write",
            "fenced write as HGET, then HSET",
            "the old fence won",
            || s::fencing::checks(e::fenced_lock::<f::CheckThenWrite>),
        ),
    ]
}

/// The checks of 01.1 with both counters of one kind.
fn counter<C: crate::Counter>() -> Vec<Check> {
    s::counter::checks(e::counter::<C>, e::counter::<C>)
}

/// The checks of 01.4 with one constructor for both (the wrong versions have
/// their lock timeout built in, or none).
fn locking(make: s::inventory::MakeInventory) -> Vec<Check> {
    s::inventory::locking_checks(make, make)
}
