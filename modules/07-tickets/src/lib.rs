//! Module 07, ticket booking from the queue to the sold ticket: the contract
//! every implementation of the module's exercises follows, the spec that
//! proves them, the naive implementations that show each race, and the demo
//! app with its live page.
//!
//! The exercise crate (`exercises/07-tickets`) and the solution crate
//! (`solutions/07-tickets`) implement the traits below; each runs the same
//! spec with one line, [`spec!`].

pub mod checkout;
pub mod clock;
pub mod demo;
pub mod gallery;
pub mod live;
pub mod naive;
pub mod queue;
pub mod spec;
pub mod sweeper;
pub mod tickets;
pub mod worker;
pub mod wrong;

pub use checkout::{Checkout, CheckoutError, Order};
pub use clock::Clock;
pub use live::{Event, Notifier};
pub use queue::{Entry, Joined, TicketQueue};
pub use sweeper::{Freed, Sweeper};
pub use tickets::{BookingError, Status};
pub use worker::{Outcome, Reserver};

/// The migrations of module 07's tables, which the spec runs on a fresh
/// schema per test.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Stands for the work a real service does between two steps: a call to
/// another service, a log line. It yields to the scheduler, so other tasks
/// run in that gap, as they would in production.
pub async fn think() {
    tokio::task::yield_now().await;
}

/// The whole spec of module 07, as tests, for the crate `$subject` (the
/// exercise crate or the solution crate). Each crate's `src/spec.rs` is this
/// one line, `racecourse_07::spec!(crate);`.
#[macro_export]
macro_rules! spec {
    ($subject:ident) => {
        use $crate::spec as s;
        use $crate::spec::erased as e;
        use $subject as m;

        ::racecourse_kit::spec_tests!(
            "07.1",
            s::queue::checks(e::ticket_queue::<m::queue::RedisQueue>),
            e07_1_positions_are_exact_under_concurrent_joins =
                "positions_are_exact_under_concurrent_joins",
            e07_1_positions_move_up_as_the_line_is_served =
                "positions_move_up_as_the_line_is_served",
            e07_1_a_pause_between_two_commands_changes_nothing =
                "a_pause_between_two_commands_changes_nothing",
            e07_1_the_worker_never_pops_a_half_written_request =
                "the_worker_never_pops_a_half_written_request",
        );

        ::racecourse_kit::spec_tests!(
            "07.2",
            s::worker::checks(e::reserver::<m::worker::LockingReserver>),
            e07_2_one_reservation_per_ticket_ever = "one_reservation_per_ticket_ever",
            e07_2_the_reservation_lasts_the_configured_ttl =
                "the_reservation_lasts_the_configured_ttl",
            e07_2_a_lock_that_expired_is_not_released = "a_lock_that_expired_is_not_released",
        );

        ::racecourse_kit::spec_tests!(
            "07.3",
            s::sweeper::checks(e::sweeper::<m::sweeper::PgSweeper>),
            e07_3_frees_expired_reservations_and_empties_carts =
                "frees_expired_reservations_and_empties_carts",
            e07_3_sweeper_and_checkout_racing_exactly_one_wins =
                "sweeper_and_checkout_racing_exactly_one_wins",
            e07_3_a_ticket_a_worker_holds_waits_for_the_next_pass =
                "a_ticket_a_worker_holds_waits_for_the_next_pass",
            e07_3_a_lock_that_expired_is_not_released = "a_lock_that_expired_is_not_released",
        );

        ::racecourse_kit::spec_tests!(
            "07.4",
            s::checkout::checks(e::checkout::<m::checkout::PgCheckout>),
            e07_4_a_valid_cart_becomes_one_order = "a_valid_cart_becomes_one_order",
            e07_4_an_expired_reservation_sells_nothing = "an_expired_reservation_sells_nothing",
            e07_4_checkout_racing_the_sweeper_sells_nothing_freed =
                "checkout_racing_the_sweeper_sells_nothing_freed",
            e07_4_a_sweep_during_the_sale_waits_for_it = "a_sweep_during_the_sale_waits_for_it",
        );

        ::racecourse_kit::spec_tests!(
            "07.5",
            s::live::checks(e::notifier::<m::live::Hub>),
            e07_5_each_page_gets_its_users_events_only = "each_page_gets_its_users_events_only",
            e07_5_a_page_that_stops_reading_blocks_nobody =
                "a_page_that_stops_reading_blocks_nobody",
            e07_5_closed_pages_are_forgotten = "closed_pages_are_forgotten",
        );
    };
}
