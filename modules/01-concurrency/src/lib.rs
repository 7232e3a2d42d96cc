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
pub mod inventory;
pub mod lease;
pub mod naive;
pub mod ratings;
pub mod spec;
pub mod versioned;

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
/// exercise crate or the solution crate). Each crate's `tests/spec.rs` is this
/// one line, so the spec is written once, here and in [`spec`].
///
/// The tests are plain `#[test]`s that hand a boxed spec to
/// `racecourse_kit::spec::check`, and the implementations reach the spec as
/// trait objects ([`spec::erased`]): what the test crate compiles after an
/// edit is small, so the student's loop stays near a second.
#[macro_export]
macro_rules! spec {
    ($subject:ident) => {
        use ::std::sync::Arc;
        use $crate::spec as s;
        use $crate::spec::erased as e;
        use $subject as m;

        /// Runs one spec test of exercise `$id` on `$runtime`, naming the file on failure.
        macro_rules! check {
            ($id:literal, $runtime:ident, $spec:expr) => {
                ::racecourse_kit::spec::check(
                    $id,
                    env!("CARGO_MANIFEST_DIR"),
                    ::racecourse_kit::spec::Runtime::$runtime,
                    ::std::boxed::Box::pin($spec),
                )
            };
        }

        #[test]
        fn e01_1_locked_counter_loses_nothing() {
            check!(
                "01.1",
                Threads,
                s::counter::no_lost_updates(e::counter::<m::counter::LockedCounter>)
            );
        }

        #[test]
        fn e01_1_atomic_counter_loses_nothing() {
            check!(
                "01.1",
                Threads,
                s::counter::no_lost_updates(e::counter::<m::counter::AtomicCounter>)
            );
        }

        #[test]
        fn e01_2_stale_version_is_refused() {
            check!(
                "01.2",
                Threads,
                s::versioned::stale_version_is_refused(
                    e::versioned_store::<m::versioned::MemStore>
                )
            );
        }

        #[test]
        fn e01_2_transfer_checks_its_input() {
            check!(
                "01.2",
                Threads,
                s::versioned::transfer_checks_its_input(
                    e::versioned_store::<m::versioned::MemStore>
                )
            );
        }

        #[test]
        fn e01_2_concurrent_transfers_keep_the_total() {
            check!(
                "01.2",
                Threads,
                s::versioned::concurrent_transfers_keep_the_total(
                    e::versioned_store::<m::versioned::MemStore>
                )
            );
        }

        #[test]
        fn e01_3_only_the_owner_releases() {
            check!(
                "01.3",
                PausedClock,
                s::lease::only_the_owner_releases(e::lease_lock::<m::lease::MemLeaseLock>)
            );
        }

        #[test]
        fn e01_3_expired_lease_can_be_taken() {
            check!(
                "01.3",
                PausedClock,
                s::lease::expired_lease_can_be_taken(e::lease_lock::<m::lease::MemLeaseLock>)
            );
        }

        #[test]
        fn e01_3_waiting_times_out_or_wakes() {
            check!(
                "01.3",
                PausedClock,
                s::lease::waiting_times_out_or_wakes(e::lease_lock::<m::lease::MemLeaseLock>)
            );
        }

        #[test]
        fn e01_3_holders_never_overlap() {
            check!(
                "01.3",
                PausedClock,
                s::lease::holders_never_overlap(e::lease_lock::<m::lease::MemLeaseLock>)
            );
        }

        #[test]
        fn e01_4_never_oversells() {
            check!(
                "01.4",
                Threads,
                s::inventory::never_oversells(|pool| Arc::new(m::locking::LockingInventory::new(
                    pool
                )))
            );
        }

        #[test]
        fn e01_4_held_lock_times_out() {
            check!(
                "01.4",
                Threads,
                s::inventory::held_lock_times_out(|pool| {
                    Arc::new(m::locking::LockingInventory::with_lock_timeout(
                        pool,
                        ::std::time::Duration::from_millis(200),
                    ))
                })
            );
        }

        #[test]
        fn e01_5_never_oversells() {
            check!(
                "01.5",
                Threads,
                s::inventory::never_oversells(|pool| Arc::new(
                    m::conditional::ConditionalInventory::new(pool)
                ))
            );
        }

        #[test]
        fn e01_6_no_rating_is_lost() {
            check!(
                "01.6",
                Threads,
                s::ratings::no_rating_is_lost(|pool| Arc::new(m::ratings::OptimisticRatings::new(
                    pool
                )))
            );
        }

        #[test]
        fn e01_7_preconditions_are_enforced() {
            check!(
                "01.7",
                Threads,
                s::etag::preconditions_are_enforced(m::etag::router)
            );
        }

        #[test]
        fn e01_7_one_of_many_racing_writers_wins() {
            check!(
                "01.7",
                Threads,
                s::etag::one_of_many_racing_writers_wins(m::etag::router)
            );
        }

        #[test]
        fn e01_8_lock_is_exclusive_and_expires() {
            check!(
                "01.8",
                Threads,
                s::fencing::lock_is_exclusive_and_expires(
                    e::fenced_lock::<m::fencing::RedisFencedLock>
                )
            );
        }

        #[test]
        fn e01_8_paused_holder_is_fenced_off() {
            check!(
                "01.8",
                Threads,
                s::fencing::paused_holder_is_fenced_off(
                    e::fenced_lock::<m::fencing::RedisFencedLock>
                )
            );
        }

        #[test]
        fn e01_8_holders_never_overlap() {
            check!(
                "01.8",
                Threads,
                s::fencing::holders_never_overlap(e::fenced_lock::<m::fencing::RedisFencedLock>)
            );
        }
    };
}
