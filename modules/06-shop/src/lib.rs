//! Module 06, shop flows end to end: the contract every implementation of the
//! module's exercises follows, the spec that proves them, the naive
//! implementations that show each failure, and the demo app.
//!
//! The exercise crate (`exercises/06-shop`) and the solution crate
//! (`solutions/06-shop`) implement the traits below; each runs the same spec
//! with one line, [`spec!`].

pub mod amqp;
pub mod checkout;
pub mod demo;
pub mod gallery;
pub mod intake;
pub mod naive;
pub mod outbox;
pub mod queue;
pub mod saga;
pub mod spec;
pub mod wallet;
pub mod wrong;

/// The migrations of module 06's tables, which the spec runs on a fresh
/// schema per test.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Stands for the work a real service does between reading a row and
/// writing it: a call to another service, a log line, a metric. It yields to
/// the scheduler, so other tasks run in that gap, as they would in production.
pub async fn think() {
    tokio::task::yield_now().await;
}

/// The whole spec of module 06, as tests, for the crate `$subject` (the
/// exercise crate or the solution crate), whose checkout (06.1) pays through
/// `$payments`, a 05.4 client. Each crate's `src/spec.rs` is this one line,
/// `racecourse_06::spec!(crate, <the 05.4 client>);`, so the spec is written
/// once, here and in [`spec`].
#[macro_export]
macro_rules! spec {
    ($subject:ident, $payments:ty) => {
        use $crate::spec as s;
        use $crate::spec::erased as e;
        use $subject as m;

        ::racecourse_kit::spec_tests!(
            "06.1",
            s::checkout::checks(
                e::checkout::<m::checkout::PgCheckout>,
                ::racecourse_05::spec::erased::payment_client::<$payments>,
            ),
            e06_1_each_outcome_leaves_nothing_reserved = "each_outcome_leaves_nothing_reserved",
            e06_1_a_payment_in_doubt_is_neither_released_nor_charged_twice =
                "a_payment_in_doubt_is_neither_released_nor_charged_twice",
            e06_1_hundred_checkouts_of_fifty_units = "hundred_checkouts_of_fifty_units",
        );

        ::racecourse_kit::spec_tests!(
            "06.2",
            s::wallet::checks(e::wallet::<m::wallet::PgWallet>),
            e06_2_refusals_move_nothing = "refusals_move_nothing",
            e06_2_hundred_debits_of_ten_from_five_hundred =
                "hundred_debits_of_ten_from_five_hundred",
            e06_2_a_failed_ledger_write_moves_nothing = "a_failed_ledger_write_moves_nothing",
            e06_2_transfers_keep_the_total = "transfers_keep_the_total",
            e06_2_opposite_transfers_do_not_deadlock = "opposite_transfers_do_not_deadlock",
        );

        ::racecourse_kit::spec_tests!(
            "06.3",
            s::queue::checks(e::queue::<m::queue::PgQueue>),
            e06_3_claims_skip_locked_and_leased_jobs = "claims_skip_locked_and_leased_jobs",
            e06_3_a_crashed_workers_jobs_return_after_the_lease =
                "a_crashed_workers_jobs_return_after_the_lease",
            e06_3_a_late_worker_completes_only_what_it_still_holds =
                "a_late_worker_completes_only_what_it_still_holds",
            e06_3_a_late_fail_leaves_what_another_worker_claimed =
                "a_late_fail_leaves_what_another_worker_claimed",
            e06_3_failures_back_off_then_go_dead = "failures_back_off_then_go_dead",
            e06_3_thousand_jobs_four_workers_with_crashes =
                "thousand_jobs_four_workers_with_crashes",
        );

        ::racecourse_kit::spec_tests!(
            "06.4",
            s::saga::checks(e::sagas::<m::saga::PgSagas>),
            e06_4_a_saga_without_failure_completes = "a_saga_without_failure_completes",
            e06_4_a_failure_at_each_step_undoes_the_others =
                "a_failure_at_each_step_undoes_the_others",
            e06_4_a_crash_at_each_point_resumes = "a_crash_at_each_point_resumes",
        );

        ::racecourse_kit::spec_tests!(
            "06.5",
            s::intake::checks(e::intake::<m::intake::QueuedIntake>),
            e06_5_a_thousand_orders_accepted_then_processed =
                "a_thousand_orders_accepted_then_processed",
            e06_5_a_crashed_worker_loses_no_order = "a_crashed_worker_loses_no_order",
        );

        ::racecourse_kit::spec_tests!(
            "06.6",
            s::outbox::checks(e::outbox::<m::outbox::PgOutbox>),
            e06_6_an_order_and_its_event_commit_together = "an_order_and_its_event_commit_together",
            e06_6_a_killed_relay_loses_and_repeats_nothing =
                "a_killed_relay_loses_and_repeats_nothing",
        );
    };
}
