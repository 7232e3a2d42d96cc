//! Module 01, concurrency control: the contract every implementation of the
//! module's exercises follows, the spec that proves them, the naive
//! implementations that show each race, and the demo app.
//!
//! The exercise crate (`exercises/01-concurrency`) and the solution crate
//! (`solutions/01-concurrency`) implement the traits below; each runs the same
//! spec with one line, [`spec!`].

pub mod counter;
pub mod demo;
pub mod etag;
pub mod fencing;
pub mod gallery;
pub mod inventory;
pub mod lease;
pub mod naive;
pub mod ratings;
pub mod spec;
pub mod versioned;
pub mod wrong;

pub use counter::Counter;
pub use fencing::{FencedLock, Guard, StaleFence};
pub use inventory::{Inventory, ReserveError};
pub use lease::{Lease, LeaseLock, NotOwner, WaitTimeout};
pub use ratings::{RateError, Ratings};
pub use versioned::{Conflict, TransferError, Versioned, VersionedStore, Write};

/// The module's migrations, applied to every test's own database.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Stands for the work a real service does between reading a value and writing
/// it back: a call to another service, a computation, a log line. It yields to
/// the scheduler, so other tasks run in that gap, as they would in production.
pub async fn think() {
    tokio::task::yield_now().await;
}

/// The whole spec of module 01, as tests, for the crate `$subject` (the
/// exercise crate or the solution crate). Each crate's `src/spec.rs` is this
/// one line, `racecourse_01::spec!(crate);`, so the spec is written once, here
/// and in [`spec`].
///
/// Each exercise's spec is a list of checks (`spec::<file>::checks`), bound
/// here to the subject's types; each `#[test]` runs one of them by name through
/// `racecourse_kit::spec::check`, under the watchdog. The implementations
/// reach the spec as trait objects ([`spec::erased`]): what the test crate
/// compiles after an edit is small, so the student's loop stays fast.
/// The gallery (`tests/gallery.rs`) runs the same lists against the naive code
/// and the wrong fixes.
#[macro_export]
macro_rules! spec {
    ($subject:ident) => {
        use ::std::sync::Arc;
        use $crate::spec as s;
        use $crate::spec::erased as e;
        use $subject as m;

        ::racecourse_kit::spec_tests!(
            "01.1",
            s::counter::checks(
                e::counter::<m::counter::LockedCounter>,
                e::counter::<m::counter::AtomicCounter>
            ),
            e01_1_locked_counter_loses_nothing = "locked_counter_loses_nothing",
            e01_1_atomic_counter_loses_nothing = "atomic_counter_loses_nothing",
        );
        ::racecourse_kit::spec_tests!(
            "01.2",
            s::versioned::checks(e::versioned_store::<m::versioned::MemStore>),
            e01_2_stale_version_is_refused = "stale_version_is_refused",
            e01_2_transfer_checks_its_input = "transfer_checks_its_input",
            e01_2_racing_commits_lose_nothing = "racing_commits_lose_nothing",
            e01_2_concurrent_transfers_keep_the_total = "concurrent_transfers_keep_the_total",
        );
        ::racecourse_kit::spec_tests!(
            "01.3",
            s::lease::checks(e::lease_lock::<m::lease::MemLeaseLock>),
            e01_3_only_the_owner_releases = "only_the_owner_releases",
            e01_3_expired_lease_can_be_taken = "expired_lease_can_be_taken",
            e01_3_waiting_times_out_or_wakes = "waiting_times_out_or_wakes",
            e01_3_holders_never_overlap = "holders_never_overlap",
        );
        ::racecourse_kit::spec_tests!(
            "01.4",
            s::inventory::locking_checks(
                |pool| Arc::new(m::locking::LockingInventory::new(pool)),
                |pool| {
                    Arc::new(m::locking::LockingInventory::with_lock_timeout(
                        pool,
                        ::std::time::Duration::from_millis(200),
                    ))
                }
            ),
            e01_4_never_oversells = "never_oversells",
            e01_4_held_lock_times_out = "held_lock_times_out",
        );
        ::racecourse_kit::spec_tests!(
            "01.5",
            s::inventory::conditional_checks(|pool| Arc::new(
                m::conditional::ConditionalInventory::new(pool)
            )),
            e01_5_never_oversells = "never_oversells",
        );
        ::racecourse_kit::spec_tests!(
            "01.6",
            s::ratings::checks(|pool| Arc::new(m::ratings::OptimisticRatings::new(pool))),
            e01_6_no_rating_is_lost = "no_rating_is_lost",
        );
        ::racecourse_kit::spec_tests!(
            "01.7",
            s::etag::checks(m::etag::router),
            e01_7_preconditions_are_enforced = "preconditions_are_enforced",
            e01_7_one_of_many_racing_writers_wins = "one_of_many_racing_writers_wins",
        );
        ::racecourse_kit::spec_tests!(
            "01.8",
            s::fencing::checks(e::fenced_lock::<m::fencing::RedisFencedLock>),
            e01_8_lock_is_exclusive_and_expires = "lock_is_exclusive_and_expires",
            e01_8_paused_holder_is_fenced_off = "paused_holder_is_fenced_off",
            e01_8_holders_never_overlap = "holders_never_overlap",
            e01_8_a_pause_between_two_commands_changes_nothing =
                "a_pause_between_two_commands_changes_nothing",
        );
    };
}
