//! Spec of 07.1. Positions are exact: 50 users joining at once get the
//! positions 1 to 50, each where its request really stands, and the line is
//! served in that order. A pause between two of a join's commands, with
//! another join in the gap, changes nothing.

use super::erased::DynTicketQueue;
use super::{OrFail, together};
use racecourse_kit::i18n::t;
use racecourse_kit::pause::Pausable;
use racecourse_kit::services::with_redis;
use racecourse_kit::spec::{Check, Runtime};
use redis::aio::ConnectionManager;
use std::sync::Arc;
use std::time::Duration;

/// Makes the queue on a connection and a key prefix.
pub type MakeQueue = fn(ConnectionManager, &str) -> Arc<dyn DynTicketQueue>;

const USERS: usize = 50;
const ROUNDS: usize = 3;

/// The checks of 07.1.
pub fn checks(make: MakeQueue) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "positions_are_exact_under_concurrent_joins",
            threads,
            positions_are_exact_under_concurrent_joins(make),
        ),
        Check::new(
            "positions_move_up_as_the_line_is_served",
            threads,
            positions_move_up_as_the_line_is_served(make),
        ),
        Check::new(
            "a_pause_between_two_commands_changes_nothing",
            threads,
            a_pause_between_two_commands_changes_nothing(make),
        ),
        Check::new(
            "the_worker_never_pops_a_half_written_request",
            threads,
            the_worker_never_pops_a_half_written_request(make),
        ),
    ]
}

async fn join(queue: &dyn DynTicketQueue, ticket: i64, user: &str) -> crate::queue::Joined {
    queue.join(ticket, user).await.unwrap_or_else(|e| {
        panic!(
            "{}",
            t!(
                "spec-07-1-join-failed",
                ticket = ticket,
                user = user,
                error = e.to_string()
            )
        )
    })
}

async fn position(queue: &dyn DynTicketQueue, queue_id: &str) -> Option<u64> {
    queue.position(queue_id).await.unwrap_or_else(|e| {
        panic!(
            "{}",
            t!(
                "spec-07-1-position-failed",
                queue_id = queue_id,
                error = e.to_string()
            )
        )
    })
}

async fn next(queue: &dyn DynTicketQueue) -> Option<crate::queue::Entry> {
    queue
        .next()
        .await
        .unwrap_or_else(|e| panic!("{}", t!("spec-07-1-next-failed", error = e.to_string())))
}

async fn positions_are_exact_under_concurrent_joins(make: MakeQueue) {
    with_redis(move |slot| async move {
        for round in 0..ROUNDS {
            let queue = make(slot.conn.clone(), &format!("{}r{round}:", slot.prefix));
            let joined = together(USERS, |i| {
                let queue = queue.clone();
                async move { (i, join(&*queue, i as i64 % 5, &format!("user{i}")).await) }
            })
            .await;
            let mut positions: Vec<u64> = joined.iter().map(|(_, j)| j.position).collect();
            positions.sort_unstable();
            let expected: Vec<u64> = (1..=USERS as u64).collect();
            if positions != expected {
                let mut seen = std::collections::BTreeMap::new();
                for p in &positions {
                    *seen.entry(*p).or_insert(0) += 1;
                }
                let twice: Vec<_> = seen
                    .iter()
                    .filter(|(_, n)| **n > 1)
                    .map(|(p, _)| *p)
                    .collect();
                panic!(
                    "{}",
                    t!(
                        "spec-07-1-positions-twice",
                        users = USERS,
                        twice = format!("{twice:?}"),
                        positions = format!("{positions:?}")
                    )
                );
            }
            for (_, j) in &joined {
                let now = position(&*queue, &j.queue_id).await;
                assert_eq!(
                    now,
                    Some(j.position),
                    "{}",
                    t!(
                        "spec-07-1-stands-elsewhere",
                        position = j.position,
                        now = format!("{now:?}")
                    )
                );
            }
            let mut by_position = joined.clone();
            by_position.sort_by_key(|(_, j)| j.position);
            for (i, j) in &by_position {
                let entry = next(&*queue).await.unwrap_or_else(|| {
                    panic!("{}", t!("spec-07-1-ran-out", position = j.position))
                });
                assert_eq!(
                    (entry.queue_id.as_str(), entry.ticket, entry.user.as_str()),
                    (
                        j.queue_id.as_str(),
                        *i as i64 % 5,
                        format!("user{i}").as_str()
                    ),
                    "{}",
                    t!(
                        "spec-07-1-fifo",
                        position = j.position,
                        user = format!("user{i}"),
                        ticket = *i as i64 % 5
                    )
                );
            }
            assert!(
                next(&*queue).await.is_none(),
                "{}",
                t!("spec-07-1-empty-line")
            );
        }
    })
    .await;
}

async fn positions_move_up_as_the_line_is_served(make: MakeQueue) {
    with_redis(move |slot| async move {
        let queue = make(slot.conn.clone(), &slot.prefix);
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(join(&*queue, 7, &format!("u{i}")).await.queue_id);
        }
        next(&*queue)
            .await
            .or_fail(|| t!("spec-07-step-the-first-request"));
        next(&*queue)
            .await
            .or_fail(|| t!("spec-07-step-the-second-request"));
        for (i, id) in ids.iter().enumerate() {
            let expected = (i >= 2).then(|| i as u64 - 1);
            let got = position(&*queue, id).await;
            assert_eq!(
                got,
                expected,
                "{}",
                t!(
                    "spec-07-1-moved-up",
                    request = i + 1,
                    expected = format!("{expected:?}"),
                    got = format!("{got:?}")
                )
            );
        }
    })
    .await;
}

async fn a_pause_between_two_commands_changes_nothing(make: MakeQueue) {
    with_redis(move |slot| async move {
        for round in 0..ROUNDS {
            let prefix = format!("{}p{round}:", slot.prefix);
            let pausable = Pausable::connect(&slot.url).await.unwrap_or_else(|e| {
                panic!("{}", t!("spec-07-pausing-proxy", error = e.to_string()))
            });
            let slow = make(pausable.conn.clone(), &prefix);
            let fast = make(slot.conn.clone(), &prefix);
            pausable.hold_after_next();
            let first = tokio::spawn(async move { join(&*slow, 1, "ann").await });
            // Held after its first command, or finished in one (a script).
            tokio::select! {
                _ = pausable.paused() => {}
                _ = async {
                    while !first.is_finished() {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                } => {}
            }
            let second = join(&*fast, 1, "bob").await;
            pausable.resume();
            let first = first.await.or_fail(|| t!("spec-07-step-anns-join"));
            let mut both = [first.position, second.position];
            both.sort_unstable();
            assert_eq!(
                both,
                [1, 2],
                "{}",
                t!(
                    "spec-07-1-paused-join",
                    ann = first.position,
                    bob = second.position
                )
            );
            for (who, j) in [("ann", &first), ("bob", &second)] {
                let now = position(&*fast, &j.queue_id).await;
                assert_eq!(
                    now,
                    Some(j.position),
                    "{}",
                    t!(
                        "spec-07-1-told-position",
                        who = who,
                        position = j.position,
                        now = format!("{now:?}")
                    )
                );
            }
        }
    })
    .await;
}

async fn the_worker_never_pops_a_half_written_request(make: MakeQueue) {
    with_redis(move |slot| async move {
        let pausable = Pausable::connect(&slot.url)
            .await
            .unwrap_or_else(|e| panic!("{}", t!("spec-07-pausing-proxy", error = e.to_string())));
        let slow = make(pausable.conn.clone(), &slot.prefix);
        let worker = make(slot.conn.clone(), &slot.prefix);
        pausable.hold_after_next();
        let joining = tokio::spawn(async move { join(&*slow, 4, "ann").await });
        tokio::select! {
            _ = pausable.paused() => {}
            _ = async {
                while !joining.is_finished() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            } => {}
        }
        let popped = next(&*worker).await;
        pausable.resume();
        let joined = joining.await.or_fail(|| t!("spec-07-step-anns-join"));
        if let Some(entry) = popped {
            assert_eq!(
                (entry.queue_id.as_str(), entry.ticket, entry.user.as_str()),
                (joined.queue_id.as_str(), 4, "ann"),
                "{}",
                t!("spec-07-1-half-written")
            );
        }
    })
    .await;
}
