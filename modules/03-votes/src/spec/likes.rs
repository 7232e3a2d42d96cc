//! Spec of 03.3, against a real Redis with a key prefix of the test's own.

use super::erased::DynLikes;
use super::together;
use crate::likes::{count_key, likers_key};
use racecourse_kit::i18n::t;
use racecourse_kit::pause::Pausable;
use racecourse_kit::services::{RedisSlot, with_redis};
use racecourse_kit::spec::OrFail;
use racecourse_kit::spec::{Check, Runtime};
use redis::aio::ConnectionManager;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Makes likes on a Redis connection, under a key prefix.
pub type MakeLikes = fn(ConnectionManager, String) -> Arc<dyn DynLikes>;

/// The checks of 03.3.
pub fn checks(make: MakeLikes) -> Vec<Check> {
    vec![
        Check::new(
            "like_twice_counts_once",
            Runtime::Threads,
            like_twice_counts_once(make),
        ),
        Check::new(
            "concurrent_toggles_never_drift",
            Runtime::Threads,
            concurrent_toggles_never_drift(make),
        ),
        Check::new(
            "a_pause_between_two_commands_changes_nothing",
            Runtime::Threads,
            a_pause_between_two_commands_changes_nothing(make),
        ),
        Check::new(
            "a_crash_between_two_commands_leaves_no_drift",
            Runtime::Threads,
            a_crash_between_two_commands_leaves_no_drift(make),
        ),
    ]
}

/// The post's counter and its set's size, read straight from Redis.
async fn counter_and_set(slot: &RedisSlot, post: &str) -> (i64, i64) {
    let mut conn = slot.conn.clone();
    let counter: Option<i64> = redis::cmd("GET")
        .arg(count_key(&slot.prefix, post))
        .query_async(&mut conn)
        .await
        .unwrap();
    let size: i64 = redis::cmd("SCARD")
        .arg(likers_key(&slot.prefix, post))
        .query_async(&mut conn)
        .await
        .unwrap();
    (counter.unwrap_or(0), size)
}

async fn assert_no_drift(slot: &RedisSlot, post: &str, when: &str) {
    let (counter, size) = counter_and_set(slot, post).await;
    assert!(
        counter == size,
        "{}",
        t!(
            "spec-03-3-drift",
            when = when,
            post = post,
            counter = counter,
            size = size
        )
    );
}

/// Liking twice counts once; unliking what was never liked is a no-op; the
/// answers and the counter are the set's size.
pub async fn like_twice_counts_once(make: MakeLikes) {
    with_redis(move |slot| async move {
        let likes = make(slot.conn.clone(), slot.prefix.clone());
        let steps: [(&str, &str, i64, String); 8] = [
            ("like", "ann", 1, t!("spec-03-3-ann-like")),
            ("like", "ann", 1, t!("spec-03-3-ann-like-again")),
            ("like", "bob", 2, t!("spec-03-3-bob-like")),
            ("unlike", "cy", 2, t!("spec-03-3-cy-unlike")),
            ("unlike", "ann", 1, t!("spec-03-3-ann-unlike")),
            ("unlike", "ann", 1, t!("spec-03-3-ann-unlike-again")),
            ("like", "ann", 2, t!("spec-03-3-ann-likes-back")),
            ("unlike", "bob", 1, t!("spec-03-3-bob-unlike")),
        ];
        for (action, user, expected, what) in steps {
            let count = match action {
                "like" => likes.like("post-1", user).await,
                _ => likes.unlike("post-1", user).await,
            }
            .unwrap();
            assert_eq!(
                count,
                expected,
                "{}",
                t!("spec-03-3-count", what = what.as_str(), expected = expected)
            );
            assert_no_drift(
                &slot,
                "post-1",
                &t!("spec-03-3-after", what = what.as_str()),
            )
            .await;
        }
        assert_eq!(
            likes.count("post-1").await.unwrap(),
            1,
            "{}",
            t!("spec-03-3-count-reads")
        );
        assert_eq!(
            likes.count("post-2").await.unwrap(),
            0,
            "{}",
            t!("spec-03-3-nobody")
        );
    })
    .await;
}

const ROUNDS: usize = 5;
const USERS: usize = 20;
const TOGGLES: usize = 10;

/// Per round, 100 identical likes at once count once; then 20 users toggle
/// their like 10 times each, all 200 calls at once: the counter ends equal to
/// the set.
pub async fn concurrent_toggles_never_drift(make: MakeLikes) {
    with_redis(move |slot| async move {
        let likes = make(slot.conn.clone(), slot.prefix.clone());
        for round in 0..ROUNDS {
            let post = Arc::new(format!("post-{round}"));
            let answers = together(100, |_| {
                let (likes, post) = (likes.clone(), post.clone());
                async move { likes.like(&post, "ann").await.unwrap() }
            })
            .await;
            let (counter, size) = counter_and_set(&slot, &post).await;
            assert!(
                counter == 1 && size == 1 && answers.iter().all(|a| *a == 1),
                "{}",
                t!(
                    "spec-03-3-hundred",
                    round = round,
                    post = post.as_str(),
                    counter = counter,
                    size = size,
                    min = *answers.iter().min().unwrap(),
                    max = *answers.iter().max().unwrap()
                )
            );

            together(USERS * TOGGLES, |i| {
                let (likes, post) = (likes.clone(), post.clone());
                let user = format!("user-{}", i % USERS);
                let like = (i / USERS + i % 3).is_multiple_of(2);
                async move {
                    if like {
                        likes.like(&post, &user).await.unwrap()
                    } else {
                        likes.unlike(&post, &user).await.unwrap()
                    }
                }
            })
            .await;
            assert_no_drift(
                &slot,
                &post,
                &t!(
                    "spec-03-3-after-toggles",
                    round = round,
                    calls = USERS * TOGGLES
                ),
            )
            .await;
        }
    })
    .await;
}

/// Waits until the paused client has sent one command and is held before its
/// next one, or has finished (it had only the one).
async fn gap<T>(proxy: &Pausable, call: &JoinHandle<T>) {
    tokio::select! {
        () = proxy.paused() => {}
        () = async { while !call.is_finished() { tokio::time::sleep(Duration::from_millis(1)).await } } => {}
        () = tokio::time::sleep(Duration::from_secs(5)) => panic!("{}", t!("spec-03-3-sent-nothing")),
    }
}

/// One client's like is paused after its first command (a proxy holds the
/// next) while another client likes for the same user in the gap; then the
/// same with unlike. Both answers, and the counter, must be the set's size.
pub async fn a_pause_between_two_commands_changes_nothing(make: MakeLikes) {
    with_redis(move |slot| async move {
        let other = make(slot.conn.clone(), slot.prefix.clone());
        let proxy = Pausable::connect(&slot.url)
            .await
            .or_fail(|| t!("spec-03-3-proxy"));
        let paused = make(proxy.conn.clone(), slot.prefix.clone());
        for (action, expected) in [("like", 1), ("unlike", 0)] {
            proxy.hold_after_next();
            let call = tokio::spawn({
                let paused = paused.clone();
                async move {
                    match action {
                        "like" => paused.like("post", "ann").await,
                        _ => paused.unlike("post", "ann").await,
                    }
                }
            });
            gap(&proxy, &call).await;
            let between = match action {
                "like" => other.like("post", "ann").await,
                _ => other.unlike("post", "ann").await,
            }
            .unwrap();
            proxy.resume();
            let late = call.await.unwrap().unwrap();
            let (counter, size) = counter_and_set(&slot, "post").await;
            assert!(
                late == expected && between == expected && counter == size,
                "{}",
                t!(
                    "spec-03-3-pause",
                    action = action,
                    late = late,
                    between = between,
                    counter = counter,
                    size = size,
                    expected = expected
                )
            );
        }
    })
    .await;
}

/// A client dies after the first command of a like (its next is never sent);
/// then after the first of an unlike. The counter must still equal the set.
pub async fn a_crash_between_two_commands_leaves_no_drift(make: MakeLikes) {
    with_redis(move |slot| async move {
        let other = make(slot.conn.clone(), slot.prefix.clone());
        other.like("post", "bob").await.unwrap();
        for action in ["like", "unlike"] {
            // A proxy per crash: the dead client's held command stays held.
            let proxy = Pausable::connect(&slot.url)
                .await
                .or_fail(|| t!("spec-03-3-proxy"));
            let dying = make(proxy.conn.clone(), slot.prefix.clone());
            proxy.hold_after_next();
            let call = tokio::spawn({
                let dying = dying.clone();
                async move {
                    match action {
                        "like" => dying.like("post", "ann").await,
                        _ => dying.unlike("post", "bob").await,
                    }
                }
            });
            gap(&proxy, &call).await;
            // The process dies here: what it had not sent is never sent.
            call.abort();
            let _ = call.await;
            assert_no_drift(&slot, "post", &t!("spec-03-3-after-crash", action = action)).await;
        }
    })
    .await;
}
