//! Module 07's gallery: for each exercise, the naive code ([`crate::naive`]) and
//! the fixes students really write that almost work ([`crate::wrong`]), each
//! bound to the exercise's checks. `tests/gallery.rs` proves the spec catches
//! every one of them on every run; `cargo xtask stress <id> --impl <name>`
//! repeats one of them.

use crate::naive;
use crate::spec as s;
use crate::spec::erased as e;
use crate::wrong;
use racecourse_kit::gallery::Suspect;

/// Every wrong implementation of module 07, with what its failure must say.
pub fn suspects() -> Vec<Suspect> {
    use wrong::checkout as c;
    use wrong::live as l;
    use wrong::queue as q;
    use wrong::sweeper as w;
    use wrong::worker as r;
    let suspect = |exercise, name, title, expect, checks| Suspect {
        exercise,
        name,
        title,
        expect,
        checks,
    };
    vec![
        suspect(
            "07.1",
            "naive",
            "LLEN, then RPUSH",
            "positions given more than once",
            || s::queue::checks(e::ticket_queue::<naive::queue::CountThenPush>),
        ),
        suspect(
            "07.1",
            "push-then-count",
            "RPUSH, then LLEN",
            "positions given more than once|must get positions 1 and 2",
            || s::queue::checks(e::ticket_queue::<q::PushThenCount>),
        ),
        suspect(
            "07.1",
            "counter-then-push",
            "INCR a counter, then RPUSH",
            "but stands at",
            || s::queue::checks(e::ticket_queue::<q::CounterThenPush>),
        ),
        suspect(
            "07.1",
            "stored-position",
            "the position stored at join, never moved",
            "not what it was when it joined",
            || s::queue::checks(e::ticket_queue::<q::StoredPosition>),
        ),
        suspect(
            "07.1",
            "push-then-describe",
            "RPUSH, then HSET the entry",
            "found it half written",
            || s::queue::checks(e::ticket_queue::<q::PushThenDescribe>),
        ),
        suspect(
            "07.2",
            "naive",
            "read the status, then reserve; no lock",
            "exactly one user must get it",
            || s::worker::checks(e::reserver::<naive::worker::ReadThenWrite>),
        ),
        suspect(
            "07.2",
            "lock-only",
            "locked, but reserved without checking IN_QUEUE",
            "exactly one user must get it|must lose",
            || s::worker::checks(e::reserver::<r::LockOnly>),
        ),
        suspect(
            "07.2",
            "del-release",
            "the lock released with a plain DEL",
            "released the other's lock",
            || s::worker::checks(e::reserver::<r::DelRelease>),
        ),
        suspect(
            "07.2",
            "no-expiry",
            "SET NX without PX",
            "a lock must expire",
            || s::worker::checks(e::reserver::<r::NoExpiry>),
        ),
        suspect(
            "07.3",
            "naive",
            "SELECT the lapsed, then UPDATE by id",
            "Both won",
            || s::sweeper::checks(e::sweeper::<naive::sweeper::ListThenFree>),
        ),
        suspect(
            "07.3",
            "keeps-the-cart",
            "tickets freed, cart rows left",
            "the cart must be empty",
            || s::sweeper::checks(e::sweeper::<w::KeepsTheCart>),
        ),
        suspect(
            "07.3",
            "strict-deadline",
            "reserved_until < now",
            "reserved_until <= now",
            || s::sweeper::checks(e::sweeper::<w::StrictDeadline>),
        ),
        suspect(
            "07.3",
            "no-lock",
            "PostgreSQL right, the ticket's lock never taken",
            "freed the ticket anyway|must lock each ticket",
            || s::sweeper::checks(e::sweeper::<w::NoLock>),
        ),
        suspect(
            "07.3",
            "del-release",
            "its locks released with a plain DEL",
            "released the worker's lock",
            || s::sweeper::checks(e::sweeper::<w::DelRelease>),
        ),
        suspect(
            "07.4",
            "naive",
            "sells the cart, no check",
            "must answer Expired",
            || s::checkout::checks(e::checkout::<naive::checkout::SellTheCart>),
        ),
        suspect(
            "07.4",
            "check-then-sell",
            "a plain read checks, an unconditional UPDATE sells",
            "Both won",
            || s::checkout::checks(e::checkout::<c::CheckThenSell>),
        ),
        suspect(
            "07.4",
            "no-transaction",
            "a conditional UPDATE per ticket, no transaction",
            "checkout must sell nothing",
            || s::checkout::checks(e::checkout::<c::NoTransaction>),
        ),
        suspect(
            "07.4",
            "ignores-deadline",
            "locked and transactional, deadline not checked",
            "must answer Expired",
            || s::checkout::checks(e::checkout::<c::IgnoresDeadline>),
        ),
        suspect(
            "07.4",
            "locks-then-commits",
            "checked under FOR UPDATE, committed, then sold",
            "Hold the row locks from the check until COMMIT",
            || s::checkout::checks(e::checkout::<c::LocksThenCommits>),
        ),
        suspect(
            "07.4",
            "sold-before-order",
            "checked and committed, SOLD committed, then the order",
            "sold to nobody",
            || s::checkout::checks(e::checkout::<c::SoldBeforeOrder>),
        ),
        suspect(
            "07.5",
            "naive",
            "every event to every page",
            "other users' events received: 2",
            || s::live::checks(e::notifier::<naive::live::Everyone>),
        ),
        suspect(
            "07.5",
            "one-page-per-user",
            "a map of one channel per user",
            "keep every subscriber",
            || s::live::checks(e::notifier::<l::OnePagePerUser>),
        ),
        suspect(
            "07.5",
            "awaits-each-page",
            "send().await to each page in turn",
            "held everybody up",
            || s::live::checks(e::notifier::<l::AwaitsEachPage>),
        ),
        suspect(
            "07.5",
            "never-forgets",
            "try_send, closed pages never removed",
            "only ann's is left",
            || s::live::checks(e::notifier::<l::NeverForgets>),
        ),
    ]
}
