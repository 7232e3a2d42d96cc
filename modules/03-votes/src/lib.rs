//! Module 03, double voting and one-time actions: the contract every
//! implementation of the module's exercises follows, the spec that proves
//! them, the naive implementations that show each race, and the demo app.
//!
//! The exercise crate (`exercises/03-votes`) and the solution crate
//! (`solutions/03-votes`) implement the traits below; each runs the same spec
//! with one line, [`spec!`].

pub mod ballot;
pub mod coupon;
pub mod demo;
pub mod gallery;
pub mod likes;
pub mod naive;
pub mod poll;
pub mod reward;
pub mod spec;
pub mod wrong;

pub use ballot::{Ballots, Cast, Tally};
pub use coupon::{CouponError, Coupons, Redemption};
pub use likes::Likes;
pub use poll::{Polls, Vote, VoteError};
pub use reward::{Clock, DailyRewards, Granted, RewardError, Zone};

/// The module's migrations, applied to every test's own schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Stands for the work a real service does between checking and acting: a
/// call to another service, a log line, a metric. It yields to the scheduler,
/// so other tasks run in that gap, as they would in production.
pub async fn think() {
    tokio::task::yield_now().await;
}

/// The whole spec of module 03, as tests, for the crate `$subject` (the
/// exercise crate or the solution crate). Each crate's `src/spec.rs` is this
/// one line, `racecourse_03::spec!(crate);`, so the spec is written once, here
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
            "03.1",
            s::poll::checks(e::polls::<m::poll::PgPolls>),
            e03_1_each_answer = "each_answer",
            e03_1_identical_votes_count_once = "identical_votes_count_once",
            e03_1_a_duplicate_answers_409 = "a_duplicate_answers_409",
        );

        ::racecourse_kit::spec_tests!(
            "03.2",
            s::ballot::checks(e::ballots::<m::ballot::PgBallots>),
            e03_2_each_answer = "each_answer",
            e03_2_tallies_follow_concurrent_changes = "tallies_follow_concurrent_changes",
        );

        ::racecourse_kit::spec_tests!(
            "03.3",
            s::likes::checks(e::likes::<m::likes::RedisLikes>),
            e03_3_like_twice_counts_once = "like_twice_counts_once",
            e03_3_concurrent_toggles_never_drift = "concurrent_toggles_never_drift",
            e03_3_a_pause_between_two_commands_changes_nothing =
                "a_pause_between_two_commands_changes_nothing",
            e03_3_a_crash_between_two_commands_leaves_no_drift =
                "a_crash_between_two_commands_leaves_no_drift",
        );

        ::racecourse_kit::spec_tests!(
            "03.4",
            s::reward::checks(e::daily_rewards::<m::reward::PgDailyRewards>),
            e03_4_second_claim_waits_for_local_midnight = "second_claim_waits_for_local_midnight",
            e03_4_the_day_is_the_local_day = "the_day_is_the_local_day",
            e03_4_a_change_of_utc_offset = "a_change_of_utc_offset",
            e03_4_one_claim_under_concurrency = "one_claim_under_concurrency",
            e03_4_a_second_claim_answers_429 = "a_second_claim_answers_429",
        );

        ::racecourse_kit::spec_tests!(
            "03.5",
            s::coupon::checks(e::coupons::<m::coupon::PgCoupons>),
            e03_5_each_answer = "each_answer",
            e03_5_two_hundred_redeem_ten_uses = "two_hundred_redeem_ten_uses",
            e03_5_one_redemption_per_user = "one_redemption_per_user",
        );
    };
}
