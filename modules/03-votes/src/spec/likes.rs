//! Spec of 03.3, against a real Redis with a key prefix of the test's own.

use super::erased::DynLikes;
use super::together;
use crate::likes::{count_key, likers_key};
use racecourse_kit::pause::Pausable;
use racecourse_kit::services::{RedisSlot, with_redis};
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
        "{when}, {post}'s counter says {counter} likes but its set holds {size} users: the counter \
         must move only when the set does (SADD or SREM returned 1), in the same command"
    );
}

/// Liking twice counts once; unliking what was never liked is a no-op; the
/// answers and the counter are the set's size.
pub async fn like_twice_counts_once(make: MakeLikes) {
    with_redis(move |slot| async move {
        let likes = make(slot.conn.clone(), slot.prefix.clone());
        let steps: [(&str, &str, i64, &str); 8] = [
            ("like", "ann", 1, "ann's like"),
            (
                "like",
                "ann",
                1,
                "ann's second like (a retried PUT): liking twice counts once",
            ),
            ("like", "bob", 2, "bob's like"),
            (
                "unlike",
                "cy",
                2,
                "cy's unlike, who never liked it: a no-op",
            ),
            ("unlike", "ann", 1, "ann's unlike"),
            (
                "unlike",
                "ann",
                1,
                "ann's second unlike (a retried DELETE): a no-op",
            ),
            ("like", "ann", 2, "ann's like again"),
            ("unlike", "bob", 1, "bob's unlike"),
        ];
        for (action, user, expected, what) in steps {
            let count = match action {
                "like" => likes.like("post-1", user).await,
                _ => likes.unlike("post-1", user).await,
            }
            .unwrap();
            assert_eq!(
                count, expected,
                "after {what}, the count must be {expected}"
            );
            assert_no_drift(&slot, "post-1", &format!("after {what}")).await;
        }
        assert_eq!(
            likes.count("post-1").await.unwrap(),
            1,
            "count reads the counter: 1"
        );
        assert_eq!(
            likes.count("post-2").await.unwrap(),
            0,
            "a post nobody liked counts 0"
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
                "round {round}: 100 likes of {post} by ann at once: the counter says {counter}, \
                 the set holds {size}, and the answers ranged from {} to {}; all must be 1: \
                 liking twice counts once",
                answers.iter().min().unwrap(),
                answers.iter().max().unwrap()
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
                &format!(
                    "round {round}: after {} concurrent likes and unlikes",
                    USERS * TOGGLES
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
        () = tokio::time::sleep(Duration::from_secs(5)) => panic!("the call sent nothing to Redis within 5 s"),
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
            .expect("a connection through the pausing proxy");
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
                "ann's {action} paused between two of its commands while another {action} of \
                 ann's ran in the gap: they answered {late} and {between}, the counter says \
                 {counter} and the set holds {size}; all must be {expected}. Check and act in \
                 one command: a Lua script that SADDs (or SREMs) and moves the counter only if \
                 that returned 1"
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
                .expect("a connection through the pausing proxy");
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
            assert_no_drift(
                &slot,
                "post",
                &format!("after a client died between the first and second command of a {action}"),
            )
            .await;
        }
    })
    .await;
}
