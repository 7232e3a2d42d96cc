//! Module 03's gallery: for each exercise, the naive code ([`crate::naive`]) and
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

/// Every wrong implementation of module 03, with what its failure must say.
pub fn suspects() -> Vec<Suspect> {
    use wrong::ballot as b;
    use wrong::coupon as c;
    use wrong::likes as l;
    use wrong::poll as p;
    use wrong::reward as r;
    let suspect = |exercise, name, title, expect, checks| Suspect {
        exercise,
        name,
        title,
        expect,
        checks,
    };
    vec![
        suspect(
            "03.1",
            "naive",
            "check for a vote, then insert",
            "Exactly one must count",
            || s::poll::checks(e::polls::<naive::poll::CheckThenInsert>),
        ),
        suspect(
            "03.1",
            "check-in-transaction",
            "the check and the insert in one READ COMMITTED transaction",
            "Exactly one must count",
            || s::poll::checks(e::polls::<p::CheckInTransaction>),
        ),
        suspect(
            "03.1",
            "conflict-ignored",
            "ON CONFLICT DO NOTHING, every answer a success",
            "must be refused with AlreadyVoted",
            || s::poll::checks(e::polls::<p::ConflictIgnored>),
        ),
        suspect(
            "03.1",
            "upsert-overwrites",
            "ON CONFLICT DO UPDATE: a duplicate moves the vote",
            "not DO UPDATE",
            || s::poll::checks(e::polls::<p::UpsertOverwrites>),
        ),
        suspect(
            "03.2",
            "naive",
            "read, upsert, fix the tallies, each on its own",
            "tallies drifted",
            || s::ballot::checks(e::ballots::<naive::ballot::ReadThenUpsert>),
        ),
        suspect(
            "03.2",
            "transaction-without-lock",
            "the same in a transaction, the read without FOR UPDATE",
            "tallies drifted",
            || s::ballot::checks(e::ballots::<b::TransactionWithoutLock>),
        ),
        suspect(
            "03.2",
            "snapshot-cte",
            "one statement whose CTE reads the old option from its snapshot",
            "tallies drifted|casts answered New",
            || s::ballot::checks(e::ballots::<b::SnapshotCte>),
        ),
        suspect(
            "03.2",
            "unordered-tallies",
            "the vote locked, the tallies updated old first",
            "the lower option id first",
            || s::ballot::checks(e::ballots::<b::UnorderedTallies>),
        ),
        suspect(
            "03.3",
            "naive",
            "SADD then INCR, whatever SADD said",
            "liking twice counts once",
            || s::likes::checks(e::likes::<naive::likes::AlwaysCount>),
        ),
        suspect(
            "03.3",
            "check-then-add",
            "SISMEMBER, then SADD and INCR in MULTI",
            "Check and act in one command",
            || s::likes::checks(e::likes::<l::CheckThenAdd>),
        ),
        suspect(
            "03.3",
            "sadd-then-incr",
            "INCR only when SADD returned 1, as a second command",
            "in the same command|Check and act in one command",
            || s::likes::checks(e::likes::<l::SaddThenIncr>),
        ),
        suspect(
            "03.3",
            "multi-always-counts",
            "SADD and INCR in one MULTI, the INCR unconditional",
            "liking twice counts once",
            || s::likes::checks(e::likes::<l::MultiAlwaysCounts>),
        ),
        suspect(
            "03.4",
            "naive",
            "look for today's claim, credit, then record the claim",
            "Exactly one claim a day may pay",
            || s::reward::checks(e::daily_rewards::<naive::reward::CheckThenCredit>),
        ),
        suspect(
            "03.4",
            "credit-then-insert",
            "credit first, then the claim with ON CONFLICT DO NOTHING",
            "Exactly one claim a day may pay",
            || s::reward::checks(e::daily_rewards::<r::CreditThenInsert>),
        ),
        suspect(
            "03.4",
            "utc-day",
            "the day counted in UTC",
            "UTC-05:00",
            || s::reward::checks(e::daily_rewards::<r::UtcDay>),
        ),
        suspect(
            "03.4",
            "offset-of-now",
            "the next midnight at the offset in force now",
            "one hour off",
            || s::reward::checks(e::daily_rewards::<r::OffsetOfNow>),
        ),
        suspect(
            "03.5",
            "naive",
            "count the redemptions, then insert",
            "Exactly 10 must be granted",
            || s::coupon::checks(e::coupons::<naive::coupon::CountThenInsert>),
        ),
        suspect(
            "03.5",
            "read-then-write",
            "read uses, check, write uses = read + 1",
            "Exactly 10 must be granted",
            || s::coupon::checks(e::coupons::<c::ReadThenWrite>),
        ),
        suspect(
            "03.5",
            "no-transaction",
            "the conditional UPDATE and the insert committed apart",
            "must not spend a use",
            || s::coupon::checks(e::coupons::<c::NoTransaction>),
        ),
        suspect(
            "03.5",
            "off-by-one",
            "WHERE uses <= max_uses",
            "must answer UsedUp|Exactly 10 must be granted",
            || s::coupon::checks(e::coupons::<c::OffByOne>),
        ),
    ]
}
