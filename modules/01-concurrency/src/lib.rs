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
#[macro_export]
macro_rules! spec {
    ($subject:ident) => {
        use $crate::spec as s;
        use $subject as m;

        /// Runs one spec test of exercise `$id`, naming the file on failure.
        macro_rules! check {
            ($id:literal, $spec:expr) => {
                ::racecourse_kit::spec::run($id, env!("CARGO_MANIFEST_DIR"), $spec).await
            };
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_1_locked_counter_loses_nothing() {
            check!(
                "01.1",
                s::counter::no_lost_updates::<m::counter::LockedCounter>()
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_1_atomic_counter_loses_nothing() {
            check!(
                "01.1",
                s::counter::no_lost_updates::<m::counter::AtomicCounter>()
            );
        }

        #[::tokio::test]
        async fn e01_2_stale_version_is_refused() {
            check!(
                "01.2",
                s::versioned::stale_version_is_refused::<m::versioned::MemStore>()
            );
        }

        #[::tokio::test]
        async fn e01_2_transfer_checks_its_input() {
            check!(
                "01.2",
                s::versioned::transfer_checks_its_input::<m::versioned::MemStore>()
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_2_concurrent_transfers_keep_the_total() {
            check!(
                "01.2",
                s::versioned::concurrent_transfers_keep_the_total::<m::versioned::MemStore>()
            );
        }

        #[::tokio::test(start_paused = true)]
        async fn e01_3_only_the_owner_releases() {
            check!(
                "01.3",
                s::lease::only_the_owner_releases::<m::lease::MemLeaseLock>()
            );
        }

        #[::tokio::test(start_paused = true)]
        async fn e01_3_expired_lease_can_be_taken() {
            check!(
                "01.3",
                s::lease::expired_lease_can_be_taken::<m::lease::MemLeaseLock>()
            );
        }

        #[::tokio::test(start_paused = true)]
        async fn e01_3_waiting_times_out_or_wakes() {
            check!(
                "01.3",
                s::lease::waiting_times_out_or_wakes::<m::lease::MemLeaseLock>()
            );
        }

        #[::tokio::test(start_paused = true)]
        async fn e01_3_holders_never_overlap() {
            check!(
                "01.3",
                s::lease::holders_never_overlap::<m::lease::MemLeaseLock>()
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_4_never_oversells() {
            check!(
                "01.4",
                s::inventory::never_oversells(m::locking::LockingInventory::new)
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_4_held_lock_times_out() {
            check!(
                "01.4",
                s::inventory::held_lock_times_out(|pool| {
                    m::locking::LockingInventory::with_lock_timeout(
                        pool,
                        ::std::time::Duration::from_millis(200),
                    )
                })
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_5_never_oversells() {
            check!(
                "01.5",
                s::inventory::never_oversells(m::conditional::ConditionalInventory::new)
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_6_no_rating_is_lost() {
            check!(
                "01.6",
                s::ratings::no_rating_is_lost(m::ratings::OptimisticRatings::new)
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_7_preconditions_are_enforced() {
            check!("01.7", s::etag::preconditions_are_enforced(m::etag::router));
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_7_one_of_many_racing_writers_wins() {
            check!(
                "01.7",
                s::etag::one_of_many_racing_writers_wins(m::etag::router)
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_8_lock_is_exclusive_and_expires() {
            check!(
                "01.8",
                s::fencing::lock_is_exclusive_and_expires::<m::fencing::RedisFencedLock>()
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_8_paused_holder_is_fenced_off() {
            check!(
                "01.8",
                s::fencing::paused_holder_is_fenced_off::<m::fencing::RedisFencedLock>()
            );
        }

        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn e01_8_holders_never_overlap() {
            check!(
                "01.8",
                s::fencing::holders_never_overlap::<m::fencing::RedisFencedLock>()
            );
        }
    };
}
