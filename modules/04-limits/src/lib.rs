//! Module 04, rate limiting and caching: the contract every implementation of
//! the module's exercises follows, the spec that proves them, the naive
//! implementations that show each flaw, and the demo app.
//!
//! The exercise crate (`exercises/04-limits`) and the solution crate
//! (`solutions/04-limits`) implement the traits below; each runs the same spec
//! with one line, [`spec!`].

pub mod catalog;
pub mod demo;
pub mod gallery;
pub mod layer;
pub mod lru;
pub mod naive;
pub mod redis_limiter;
pub mod spec;
pub mod token_bucket;
pub mod window;
pub mod wrong;

pub use catalog::{CacheError, CatalogCache, Product};
pub use layer::{LimitConfig, Policy, Usage, Windows};
pub use lru::{CacheKey, LruCache};
pub use redis_limiter::{OnOutage, RedisRateLimiter};
pub use token_bucket::{Decision, Quota, RateLimiter};
pub use window::WindowLimiter;

/// The module's migrations (the catalog of 04.6), embedded: the spec applies
/// them to a schema of each test's own (`racecourse_kit::services::with_pg`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Stands for the work a real service does between two steps: a log line, a
/// metric, a call to another service. It yields to the scheduler, so other
/// tasks run in that gap, as they would in production.
pub async fn think() {
    tokio::task::yield_now().await;
}

/// The whole spec of module 04, as tests, for the crate `$subject` (the
/// exercise crate or the solution crate). Each crate's `src/spec.rs` is this
/// one line, `racecourse_04::spec!(crate);`, so the spec is written once, here
/// and in [`spec`].
#[macro_export]
macro_rules! spec {
    ($subject:ident) => {
        use $crate::spec as s;
        use $crate::spec::erased as e;
        use $subject as m;

        ::racecourse_kit::spec_tests!(
            "04.1",
            s::token_bucket::checks(e::rate_limiter::<m::token_bucket::TokenBucket>),
            e04_1_exact_sequence = "exact_sequence",
            e04_1_a_long_idle_refills_only_the_burst = "a_long_idle_refills_only_the_burst",
            e04_1_keys_are_independent = "keys_are_independent",
            e04_1_idle_keys_are_forgotten = "idle_keys_are_forgotten",
            e04_1_a_drained_key_is_not_forgotten = "a_drained_key_is_not_forgotten",
            e04_1_many_tasks_one_key = "many_tasks_one_key",
        );

        ::racecourse_kit::spec_tests!(
            "04.2",
            s::window::checks(
                e::window_limiter::<m::window::FixedWindow>,
                e::window_limiter::<m::window::SlidingWindow>,
            ),
            e04_2_fixed_window_counts_per_window = "fixed_window_counts_per_window",
            e04_2_fixed_window_lets_twice_the_limit_across_an_edge =
                "fixed_window_lets_twice_the_limit_across_an_edge",
            e04_2_sliding_window_holds_the_limit_across_an_edge =
                "sliding_window_holds_the_limit_across_an_edge",
            e04_2_sliding_window_does_not_count_refusals = "sliding_window_does_not_count_refusals",
        );

        ::racecourse_kit::spec_tests!(
            "04.3",
            s::redis_limiter::checks(e::redis_rate_limiter::<m::redis_limiter::RedisBucket>),
            e04_3_exact_decisions = "exact_decisions",
            e04_3_refills_over_time = "refills_over_time",
            e04_3_keys_always_expire = "keys_always_expire",
            e04_3_three_instances_never_exceed = "three_instances_never_exceed",
            e04_3_a_pause_between_two_commands_changes_nothing =
                "a_pause_between_two_commands_changes_nothing",
            e04_3_an_outage_follows_the_configured_choice =
                "an_outage_follows_the_configured_choice",
        );

        ::racecourse_kit::spec_tests!(
            "04.4",
            s::layer::checks(|router, config| router.layer(m::layer::RateLimitLayer::new(config))),
            e04_4_headers_on_every_answer = "headers_on_every_answer",
            e04_4_the_excess_gets_429 = "the_excess_gets_429",
            e04_4_each_endpoint_has_its_own_policy = "each_endpoint_has_its_own_policy",
            e04_4_users_have_their_own_quota = "users_have_their_own_quota",
            e04_4_a_spoofed_forwarded_for_gains_nothing = "a_spoofed_forwarded_for_gains_nothing",
            e04_4_clients_behind_the_proxy_are_told_apart =
                "clients_behind_the_proxy_are_told_apart",
            e04_4_concurrent_requests_never_exceed = "concurrent_requests_never_exceed",
        );

        ::racecourse_kit::spec_tests!(
            "04.5",
            s::lru::checks(e::lru_cache::<m::lru::Lru<s::lru::Key>, _>),
            e04_5_capacity_and_recency = "capacity_and_recency",
            e04_5_put_refreshes_value_and_recency = "put_refreshes_value_and_recency",
            e04_5_entries_expire_after_the_ttl = "entries_expire_after_the_ttl",
            e04_5_get_and_put_take_constant_time = "get_and_put_take_constant_time",
        );

        ::racecourse_kit::spec_tests!(
            "04.6",
            s::catalog::checks(e::catalog_cache::<m::catalog::Catalog>),
            e04_6_a_hit_makes_no_query = "a_hit_makes_no_query",
            e04_6_an_update_is_seen_at_once = "an_update_is_seen_at_once",
            e04_6_a_late_miss_never_caches_stale = "a_late_miss_never_caches_stale",
            e04_6_a_read_during_the_update_never_caches_stale =
                "a_read_during_the_update_never_caches_stale",
            e04_6_concurrent_misses_make_one_query = "concurrent_misses_make_one_query",
        );
    };
}
