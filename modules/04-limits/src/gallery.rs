//! Module 04's gallery: for each exercise, the naive code ([`crate::naive`])
//! and the fixes students really write that almost work ([`crate::wrong`]),
//! each bound to the exercise's checks. `tests/gallery.rs` proves the spec
//! catches every one of them on every run; `cargo xtask stress <id> --impl
//! <name>` repeats one of them.
//!
//! Adding a wrong fix: write it in `wrong/<exercise file>.rs` with a doc
//! comment saying why it is wrong, add a [`Suspect`] here, and include it by
//! anchor in the exercise's book page under "Fixes that almost work".

use crate::naive;
use crate::spec as s;
use crate::spec::erased as e;
use crate::wrong;
use racecourse_kit::gallery::Suspect;

/// 04.2's suspects are sliding windows; their fixed window is the naive one,
/// which is right as a fixed window.
const FIXED: s::window::MakeWindow = e::window_limiter::<naive::window::FixedWindow>;

/// Every wrong implementation of module 04, with what its failure must say.
pub fn suspects() -> Vec<Suspect> {
    use wrong::catalog as c;
    use wrong::layer as l;
    use wrong::lru as u;
    use wrong::redis_limiter as r;
    use wrong::token_bucket as t;
    use wrong::window as w;
    let suspect = |exercise, name, title, expect, checks| Suspect {
        exercise,
        name,
        title,
        expect,
        checks,
    };
    vec![
        suspect(
            "04.1",
            "naive",
            "whole tokens since the last check, then stamps now",
            "what is left|must not restart",
            || s::token_bucket::checks(e::rate_limiter::<naive::token_bucket::RefillOnCheck>),
        ),
        suspect(
            "04.1",
            "no-cap",
            "refills without a cap",
            "capacity",
            || s::token_bucket::checks(e::rate_limiter::<t::NoCap>),
        ),
        suspect(
            "04.1",
            "never-forgets",
            "right decisions, a map that only grows",
            "for ever",
            || s::token_bucket::checks(e::rate_limiter::<t::NeverForgets>),
        ),
        suspect(
            "04.1",
            "forgets-by-last-seen",
            "forgets a key unseen for one interval",
            "full bucket",
            || s::token_bucket::checks(e::rate_limiter::<t::ForgetsByLastSeen>),
        ),
        suspect(
            "04.2",
            "naive",
            "a fixed window used as the sliding one",
            "went through in 20 ms",
            || s::window::checks(FIXED, FIXED),
        ),
        suspect(
            "04.2",
            "floor-weighted",
            "weighted counter rounding the previous share down",
            "went through in 20 ms",
            || s::window::checks(FIXED, e::window_limiter::<w::FloorWeighted>),
        ),
        suspect(
            "04.2",
            "counts-refusals",
            "a log that records refused requests too",
            "must not count",
            || s::window::checks(FIXED, e::window_limiter::<w::CountsRefusals>),
        ),
        suspect(
            "04.3",
            "naive",
            "GET, then INCR, then EXPIRE",
            "has no TTL",
            || {
                s::redis_limiter::checks(
                    e::redis_rate_limiter::<naive::redis_limiter::GetIncrExpire>,
                )
            },
        ),
        suspect(
            "04.3",
            "incr-then-expire",
            "INCR, judge by its count, then EXPIRE",
            "has no TTL",
            || s::redis_limiter::checks(e::redis_rate_limiter::<r::IncrThenExpire>),
        ),
        suspect(
            "04.3",
            "get-then-set",
            "GET, decide in Rust, SET PX",
            "one script, not a read|exceeded the limit",
            || s::redis_limiter::checks(e::redis_rate_limiter::<r::GetThenSet>),
        ),
        suspect(
            "04.3",
            "script-without-ttl",
            "one script, SET without PX",
            "has no TTL",
            || s::redis_limiter::checks(e::redis_rate_limiter::<r::ScriptWithoutTtl>),
        ),
        suspect(
            "04.3",
            "always-fails-open",
            "Err(_) => Allowed, whatever the configuration",
            "fail closed",
            || s::redis_limiter::checks(e::redis_rate_limiter::<r::AlwaysFailsOpen>),
        ),
        suspect("04.4", "naive", "no layer", "has no `ratelimit", || {
            s::layer::checks(naive::layer::no_layer)
        }),
        suspect(
            "04.4",
            "leftmost-forwarded-for",
            "the leftmost X-Forwarded-For address",
            "rightmost address",
            || s::layer::checks(l::leftmost_forwarded_for),
        ),
        suspect(
            "04.4",
            "forwarded-for-from-anyone",
            "X-Forwarded-For read from any peer",
            "untrusted peer",
            || s::layer::checks(l::forwarded_for_from_anyone),
        ),
        suspect(
            "04.4",
            "retry-after-window",
            "Retry-After is the whole window",
            "not the whole window",
            || s::layer::checks(l::retry_after_window),
        ),
        suspect(
            "04.4",
            "unquoted-name",
            "the policy's name as a token",
            "sf-string",
            || s::layer::checks(l::unquoted_name),
        ),
        suspect(
            "04.4",
            "fields-only-on-429",
            "the fields on refusals only",
            "allowed or refused",
            || s::layer::checks(l::fields_only_on_429),
        ),
        suspect(
            "04.5",
            "naive",
            "the order in a VecDeque, moved by a scan",
            "constant time",
            || s::lru::checks(e::lru_cache::<naive::lru::ScanLru<s::lru::Key>, _>),
        ),
        suspect(
            "04.5",
            "fifo",
            "a hit does not move its entry",
            "not LRU",
            || s::lru::checks(e::lru_cache::<u::Fifo<s::lru::Key>, _>),
        ),
        suspect(
            "04.5",
            "ttl-refreshed-on-get",
            "a hit restarts the TTL",
            "does not extend",
            || s::lru::checks(e::lru_cache::<u::TtlRefreshedOnGet<s::lru::Key>, _>),
        ),
        suspect(
            "04.5",
            "serves-expired",
            "get ignores expiry",
            "has expired",
            || s::lru::checks(e::lru_cache::<u::ServesExpired<s::lru::Key>, _>),
        ),
        suspect(
            "04.6",
            "naive",
            "TTL only: no invalidation, no single-flight",
            "a stale price",
            || s::catalog::checks(e::catalog_cache::<naive::catalog::TtlOnly>),
        ),
        suspect(
            "04.6",
            "lock-without-recheck",
            "a lock per search, no second look",
            "single-flight",
            || s::catalog::checks(e::catalog_cache::<c::LockWithoutRecheck>),
        ),
        suspect(
            "04.6",
            "scan-and-delete",
            "SCAN and DEL after the commit",
            "late write",
            || s::catalog::checks(e::catalog_cache::<c::ScanAndDelete>),
        ),
        suspect(
            "04.6",
            "bump-before-commit",
            "INCR the version, then write",
            "commit first, then bump",
            || s::catalog::checks(e::catalog_cache::<c::BumpBeforeCommit>),
        ),
    ]
}
