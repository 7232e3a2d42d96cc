//! Module 05, circuit breaker and resilience: the contract every
//! implementation of the module's exercises follows, the spec that proves
//! them, the naive implementations that show each failure, the fake payment
//! gateway and the demo app.
//!
//! The exercise crate (`exercises/05-resilience`) and the solution crate
//! (`solutions/05-resilience`) implement the traits below; each runs the same
//! spec with one line, [`spec!`].

pub mod breaker;
pub mod demo;
pub mod gallery;
pub mod gateway;
pub mod naive;
pub mod payments;
pub mod protect;
pub mod retry;
pub mod spec;
pub mod wrong;

pub use breaker::{Breaker, BreakerConfig, Outcome, Permit, Rejected, State};
pub use gateway::{FakeGateway, GatewayError, Mode};
pub use payments::{ChargeError, ClientConfig, PaymentClient};
pub use protect::{Limits, overloaded, timed_out};
pub use retry::{Attempt, Call, Jitter, Retry, RetryPolicy};

/// The whole spec of module 05, as tests, for the crate `$subject` (the
/// exercise crate or the solution crate). Each crate's `src/spec.rs` is this
/// one line, `racecourse_05::spec!(crate);`, so the spec is written once, here
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
            "05.1",
            s::breaker::checks(e::breaker::<m::breaker::MemBreaker>),
            e05_1_consecutive_failures_open_it = "consecutive_failures_open_it",
            e05_1_a_failure_rate_over_the_window_opens_it =
                "a_failure_rate_over_the_window_opens_it",
            e05_1_slow_calls_count_as_failures = "slow_calls_count_as_failures",
            e05_1_open_waits_then_admits_exactly_n_probes =
                "open_waits_then_admits_exactly_n_probes",
            e05_1_late_outcomes_change_nothing = "late_outcomes_change_nothing",
            e05_1_only_n_probes_on_many_threads = "only_n_probes_on_many_threads",
        );

        ::racecourse_kit::spec_tests!(
            "05.2",
            s::retry::checks(e::retry::<m::retry::Retrier>),
            e05_2_the_waits_for_a_seed_are_exact = "the_waits_for_a_seed_are_exact",
            e05_2_only_timeouts_429_and_503_are_retried = "only_timeouts_429_and_503_are_retried",
            e05_2_retry_after_is_obeyed = "retry_after_is_obeyed",
            e05_2_the_budget_caps_retries = "the_budget_caps_retries",
        );

        ::racecourse_kit::spec_tests!(
            "05.3",
            s::protect::checks(m::protect::protect),
            e05_3_the_excess_gets_a_fast_503 = "the_excess_gets_a_fast_503",
            e05_3_a_hung_handler_times_out_and_frees_its_place =
                "a_hung_handler_times_out_and_frees_its_place",
            e05_3_a_client_that_goes_away_frees_its_place =
                "a_client_that_goes_away_frees_its_place",
        );

        ::racecourse_kit::spec_tests!(
            "05.4",
            s::payments::checks(e::payment_client::<m::payments::ResilientClient>),
            e05_4_a_charge_goes_through_and_a_decline_is_not_retried =
                "a_charge_goes_through_and_a_decline_is_not_retried",
            e05_4_a_failed_or_hung_attempt_is_retried_in_time =
                "a_failed_or_hung_attempt_is_retried_in_time",
            e05_4_a_down_gateway_gets_no_pile_up = "a_down_gateway_gets_no_pile_up",
            e05_4_it_recovers_after_the_open_wait = "it_recovers_after_the_open_wait",
        );
    };
}
