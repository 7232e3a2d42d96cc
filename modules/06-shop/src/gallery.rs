//! Module 06's gallery: for each exercise, the naive code ([`crate::naive`]) and
//! the fixes students really write that almost work ([`crate::wrong`]), each
//! bound to the exercise's checks. `tests/gallery.rs` proves the spec catches
//! every one of them on every run; `cargo xtask stress <id> --impl <name>`
//! repeats one of them.
//!
//! 06.1's checkouts pay through a 05.4 client, `P`: `tests/gallery.rs` gives
//! them the reference one (the solution of 05.4), so each suspect gets one
//! thing wrong in the checkout and none in the client.

use crate::naive;
use crate::spec as s;
use crate::spec::erased as e;
use crate::wrong;
use racecourse_05::PaymentClient;
use racecourse_05::spec::erased::payment_client;
use racecourse_kit::gallery::Suspect;

/// Every wrong implementation of module 06, with what its failure must say;
/// 06.1's pay through `P`.
pub fn suspects<P: PaymentClient>() -> Vec<Suspect> {
    use wrong::checkout as c;
    use wrong::intake as i;
    use wrong::outbox as o;
    use wrong::queue as q;
    use wrong::saga as g;
    use wrong::wallet as w;
    let suspect = |exercise, name, title, expect, checks| Suspect {
        exercise,
        name,
        title,
        expect,
        checks,
    };
    vec![
        suspect(
            "06.1",
            "naive",
            "one transaction around everything, stock read then written",
            "hold no transaction across it",
            || {
                s::checkout::checks(
                    e::checkout::<naive::checkout::OneBigTransaction>,
                    payment_client::<P>,
                )
            },
        ),
        suspect(
            "06.1",
            "one-transaction",
            "right steps, one transaction across the payment call",
            "hold no transaction across it",
            || s::checkout::checks(e::checkout::<c::OneTransaction>, payment_client::<P>),
        ),
        suspect(
            "06.1",
            "fresh-key",
            "one more try under a new key when the client gives up",
            "charged 2 times",
            || s::checkout::checks(e::checkout::<c::FreshKeyRetry>, payment_client::<P>),
        ),
        suspect(
            "06.1",
            "release-on-error",
            "any payment error releases the order",
            "was charged but is released",
            || s::checkout::checks(e::checkout::<c::ReleaseOnError>, payment_client::<P>),
        ),
        suspect(
            "06.1",
            "no-release",
            "a declined payment leaves the order reserved",
            "orphan reservations",
            || s::checkout::checks(e::checkout::<c::NoRelease>, payment_client::<P>),
        ),
        suspect(
            "06.1",
            "check-then-reserve",
            "stock read, then reserved without a guard",
            "oversold",
            || s::checkout::checks(e::checkout::<c::CheckThenReserve>, payment_client::<P>),
        ),
        suspect(
            "06.2",
            "naive",
            "balance read, checked, then written",
            "must give 50 successes",
            || s::wallet::checks(e::wallet::<naive::wallet::ReadThenWrite>),
        ),
        suspect(
            "06.2",
            "positive-guard",
            "WHERE balance > 0",
            "not balance > 0",
            || s::wallet::checks(e::wallet::<w::PositiveGuard>),
        ),
        suspect(
            "06.2",
            "ledger-on-its-own",
            "the balance committed, then the ledger row",
            "ledger sums to",
            || s::wallet::checks(e::wallet::<w::LedgerOnItsOwn>),
        ),
        suspect(
            "06.2",
            "two-step-transfer",
            "a transfer as a debit, then a credit",
            "must commit together",
            || s::wallet::checks(e::wallet::<w::TwoStepTransfer>),
        ),
        suspect(
            "06.2",
            "unordered-locks",
            "rows locked in the order of the money",
            "deadlock",
            || s::wallet::checks(e::wallet::<w::UnorderedLocks>),
        ),
        suspect(
            "06.3",
            "naive",
            "SELECT the next jobs, then mark them",
            "waited more than 2 s|sent twice|delivered more than once",
            || s::queue::checks(e::queue::<naive::queue::SelectThenMark>),
        ),
        suspect(
            "06.3",
            "no-skip-locked",
            "FOR UPDATE without SKIP LOCKED",
            "SKIP LOCKED",
            || s::queue::checks(e::queue::<q::NoSkipLocked>),
        ),
        suspect(
            "06.3",
            "lease-ignored",
            "SKIP LOCKED, no lease",
            "while the lease holds",
            || s::queue::checks(e::queue::<q::LeaseIgnored>),
        ),
        suspect(
            "06.3",
            "never-expires",
            "a claim that never runs out",
            "must be claimable again",
            || s::queue::checks(e::queue::<q::NeverExpires>),
        ),
        suspect(
            "06.3",
            "no-backoff",
            "a failed job back at once",
            "backoff",
            || s::queue::checks(e::queue::<q::NoBackoff>),
        ),
        suspect(
            "06.3",
            "one-attempt-too-many",
            "dead after more than max_attempts",
            "must be dead",
            || s::queue::checks(e::queue::<q::OneAttemptTooMany>),
        ),
        suspect(
            "06.3",
            "whole-batch",
            "the batch completed by id alone",
            "whose lease on them had run out",
            || s::queue::checks(e::queue::<q::WholeBatch>),
        ),
        suspect(
            "06.3",
            "holder-by-clock",
            "the lease tested by the clock",
            "whose lease on them had run out",
            || s::queue::checks(e::queue::<q::HolderByClock>),
        ),
        suspect(
            "06.3",
            "fail-by-id",
            "a failure by id alone",
            "late fail put job 1 back",
            || s::queue::checks(e::queue::<q::FailById>),
        ),
        suspect(
            "06.4",
            "naive",
            "steps one after another, nothing undone",
            "must leave everything as before",
            || s::saga::checks(e::sagas::<naive::saga::NoCompensation>),
        ),
        suspect(
            "06.4",
            "compensate-everything",
            "all three steps undone, done or not",
            "undo exactly the steps",
            || s::saga::checks(e::sagas::<g::CompensateEverything>),
        ),
        suspect(
            "06.4",
            "compensate-forwards",
            "the steps undone first step first",
            "compensations in reverse order",
            || s::saga::checks(e::sagas::<g::CompensateForwards>),
        ),
        suspect(
            "06.4",
            "log-apart",
            "each step committed, then logged",
            "then a resume",
            || s::saga::checks(e::sagas::<g::LogApart>),
        ),
        suspect(
            "06.5",
            "naive",
            "the order processed in the request",
            "accepted as QUEUED",
            || s::intake::checks(e::intake::<naive::intake::ProcessInRequest>),
        ),
        suspect(
            "06.5",
            "ack-first",
            "acknowledged on receipt, processed after",
            "still QUEUED after",
            || s::intake::checks(e::intake::<i::AckFirst>),
        ),
        suspect(
            "06.5",
            "no-prefetch",
            "no basic_qos: the whole queue at once",
            "more than 16",
            || s::intake::checks(e::intake::<i::NoPrefetch>),
        ),
        suspect(
            "06.5",
            "ack-on-failure",
            "acknowledged whatever the outcome",
            "still QUEUED after",
            || s::intake::checks(e::intake::<i::AckOnFailure>),
        ),
        suspect(
            "06.6",
            "naive",
            "event after commit, marked before published, no dedupe",
            "nobody else ever hears of",
            || s::outbox::checks(e::outbox::<naive::outbox::FirstDraft>),
        ),
        suspect(
            "06.6",
            "event-after-commit",
            "the order committed, then its event",
            "nobody else ever hears of",
            || s::outbox::checks(e::outbox::<o::EventAfterCommit>),
        ),
        suspect(
            "06.6",
            "marked-then-published",
            "the batch marked, committed, then published",
            "mark an event published only",
            || s::outbox::checks(e::outbox::<o::MarkedThenPublished>),
        ),
        suspect(
            "06.6",
            "unconfirmed",
            "published without confirms, then marked",
            "Events were lost",
            || s::outbox::checks(e::outbox::<o::Unconfirmed>),
        ),
        suspect(
            "06.6",
            "no-dedupe",
            "every delivery applied",
            "must be applied once",
            || s::outbox::checks(e::outbox::<o::NoDedupe>),
        ),
    ]
}
