//! The spec must catch every naive implementation: a spec the naive version
//! passes cannot tell the race from the fix. `cargo xtask verify` runs this.

use racecourse_01::naive::{
    counter::NaiveCounter, etag, fencing::DelLock, inventory::ReadThenUpdate, lease::ForeverLock,
    ratings::LastWriteWins, versioned::BlindStore,
};
use racecourse_01::spec as s;
use racecourse_01::spec::erased as e;
use racecourse_kit::spec::expect_failure;
use std::sync::Arc;

/// Asserts the spec fails against the naive code, and that the failure says
/// what went wrong (`expect` appears in the message).
async fn caught(
    what: &str,
    expect: &str,
    spec: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let message = expect_failure(what, spec).await;
    assert!(
        message.contains(expect),
        "the spec failed against {what}, but its message does not mention `{expect}`:\n{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn n01_1_read_yield_write_loses_increments() {
    caught(
        "the naive counter",
        "increments lost",
        s::counter::no_lost_updates(e::counter::<NaiveCounter>),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn n01_2_blind_write_is_caught() {
    caught(
        "the blind-write store",
        "version",
        s::versioned::stale_version_is_refused(e::versioned_store::<BlindStore>),
    )
    .await;
    caught(
        "the blind-write store",
        "lost updates",
        s::versioned::concurrent_transfers_keep_the_total(e::versioned_store::<BlindStore>),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn n01_3_lock_without_lease_is_caught() {
    caught(
        "the lock without a lease",
        "another token",
        s::lease::only_the_owner_releases(e::lease_lock::<ForeverLock>),
    )
    .await;
    caught(
        "the lock without a lease",
        "expired",
        s::lease::expired_lease_can_be_taken(e::lease_lock::<ForeverLock>),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn n01_4_read_then_update_oversells() {
    caught(
        "read then update",
        "oversold",
        s::inventory::never_oversells(|pool| Arc::new(ReadThenUpdate::new(pool))),
    )
    .await;
    caught(
        "read then update",
        "lock_timeout",
        s::inventory::held_lock_times_out(|pool| Arc::new(ReadThenUpdate::new(pool))),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn n01_6_last_write_wins_loses_ratings() {
    caught(
        "last write wins",
        "ratings lost",
        s::ratings::no_rating_is_lost(|pool| Arc::new(LastWriteWins::new(pool))),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn n01_7_put_that_overwrites_is_caught() {
    caught(
        "a PUT that ignores If-Match",
        "428",
        s::etag::preconditions_are_enforced(etag::router),
    )
    .await;
    caught(
        "a PUT that ignores If-Match",
        "overwritten",
        s::etag::one_of_many_racing_writers_wins(etag::router),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn n01_8_del_release_and_unfenced_write_are_caught() {
    caught(
        "DEL to release",
        "plain DEL",
        s::fencing::lock_is_exclusive_and_expires(e::fenced_lock::<DelLock>),
    )
    .await;
    caught(
        "an unfenced write",
        "old fence",
        s::fencing::paused_holder_is_fenced_off(e::fenced_lock::<DelLock>),
    )
    .await;
}
