//! Module 02, idempotency end to end: the contract every implementation of the
//! module's exercises follows, the spec that proves them, the naive
//! implementations that show each race, and the demo app.
//!
//! The exercise crate (`exercises/02-idempotency`) and the solution crate
//! (`solutions/02-idempotency`) implement the traits below; each runs the same
//! spec with one line, [`spec!`].

pub mod demo;
pub mod gallery;
pub mod layer;
pub mod naive;
pub mod redis_store;
pub mod spec;
pub mod store;
pub mod wrong;

pub use redis_store::RedisIdempotencyStore;
pub use store::{Begin, IdempotencyStore, StoredResponse};

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
    };
}
