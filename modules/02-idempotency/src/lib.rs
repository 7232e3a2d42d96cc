//! Module 02, idempotency end to end: the contract every implementation of the
//! module's exercises follows, the spec that proves them, the naive
//! implementations that show each race, and the demo app.
//!
//! The exercise crate (`exercises/02-idempotency`) and the solution crate
//! (`solutions/02-idempotency`) implement the traits below; each runs the same
//! spec with one line, [`spec!`].

pub mod demo;
pub mod documents;
pub mod gallery;
pub mod gateway;
pub mod layer;
pub mod naive;
pub mod payments;
pub mod redis_store;
pub mod spec;
pub mod store;
pub mod wrong;

pub use payments::{PayError, Payments, Receipt};
pub use redis_store::RedisIdempotencyStore;
pub use store::{Begin, IdempotencyStore, StoredResponse};

/// The migrations of module 02's tables (exercise 02.4), which the spec runs
/// on a fresh schema per test.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Stands for the work a real service does between looking a key up and
/// writing it: a call to another service, a log line, a metric. It yields to
/// the scheduler, so other tasks run in that gap, as they would in production.
pub async fn think() {
    tokio::task::yield_now().await;
}

/// The whole spec of module 02, as tests, for the crate `$subject` (the
/// exercise crate or the solution crate). Each crate's `src/spec.rs` is this
/// one line, `racecourse_02::spec!(crate);`, so the spec is written once, here
/// and in [`spec`].
///
/// Each exercise's spec is a list of checks (`spec::<file>::checks`), bound
/// here to the subject's types; each `#[test]` runs one of them by name through
/// `racecourse_kit::spec::check`, under the watchdog. The gallery
/// (`tests/gallery.rs`) runs the same lists against the naive code and the
/// wrong fixes.
#[macro_export]
macro_rules! spec {
    ($subject:ident) => {
        use $crate::spec as s;
        use $crate::spec::erased as e;
        use $subject as m;

        ::racecourse_kit::spec_tests!(
            "02.1",
            s::store::checks(e::idempotency_store::<m::store::MemStore>),
            e02_1_each_outcome = "each_outcome",
            e02_1_completed_entries_expire_after_retention =
                "completed_entries_expire_after_retention",
            e02_1_claims_expire_after_the_lease = "claims_expire_after_the_lease",
            e02_1_one_of_many_racing_begins_wins = "one_of_many_racing_begins_wins",
            e02_1_threads_in_lockstep_get_one_new = "threads_in_lockstep_get_one_new",
        );

        ::racecourse_kit::spec_tests!(
            "02.2",
            s::layer::checks(
                |router| router.layer(m::layer::IdempotencyLayer::new(s::layer::store()))
            ),
            e02_2_bad_keys_and_users_get_400 = "bad_keys_and_users_get_400",
            e02_2_a_completed_request_is_replayed = "a_completed_request_is_replayed",
            e02_2_a_request_in_flight_gets_409 = "a_request_in_flight_gets_409",
            e02_2_a_reused_key_gets_422 = "a_reused_key_gets_422",
            e02_2_a_failed_request_is_not_stored = "a_failed_request_is_not_stored",
            e02_2_users_have_their_own_keys = "users_have_their_own_keys",
            e02_2_other_methods_pass_through = "other_methods_pass_through",
            e02_2_concurrent_duplicates_run_once = "concurrent_duplicates_run_once",
        );

        ::racecourse_kit::spec_tests!(
            "02.3",
            s::redis_store::checks(e::redis_idempotency_store::<m::redis_store::RedisStore>),
            e02_3_each_outcome = "each_outcome",
            e02_3_abandon_drops_only_a_claim = "abandon_drops_only_a_claim",
            e02_3_completed_entries_carry_the_retention = "completed_entries_carry_the_retention",
            e02_3_claims_expire_after_the_lease = "claims_expire_after_the_lease",
            e02_3_one_of_many_racing_begins_wins = "one_of_many_racing_begins_wins",
            e02_3_a_pause_between_two_commands_changes_nothing =
                "a_pause_between_two_commands_changes_nothing",
        );

        ::racecourse_kit::spec_tests!(
            "02.4",
            s::payments::checks(e::payments::<m::payments::PgPayments>),
            e02_4_bad_amounts_and_reused_keys_are_refused =
                "bad_amounts_and_reused_keys_are_refused",
            e02_4_fifty_duplicates_charge_once = "fifty_duplicates_charge_once",
            e02_4_users_have_their_own_keys = "users_have_their_own_keys",
            e02_4_a_lost_gateway_reply_is_not_charged_again =
                "a_lost_gateway_reply_is_not_charged_again",
            e02_4_a_crash_before_the_receipt_is_stored_resumes =
                "a_crash_before_the_receipt_is_stored_resumes",
            e02_4_a_crash_before_the_payment_is_created_starts_over =
                "a_crash_before_the_payment_is_created_starts_over",
            e02_4_the_reaper_removes_only_old_keys = "the_reaper_removes_only_old_keys",
        );

        ::racecourse_kit::spec_tests!(
            "02.5",
            s::documents::checks(e::documents::<m::documents::MemDocuments>),
            e02_5_a_repeated_put_changes_nothing = "a_repeated_put_changes_nothing",
            e02_5_a_repeated_delete_changes_nothing = "a_repeated_delete_changes_nothing",
            e02_5_bad_json_is_refused = "bad_json_is_refused",
            e02_5_identical_requests_at_once_change_once = "identical_requests_at_once_change_once",
        );
    };
}
