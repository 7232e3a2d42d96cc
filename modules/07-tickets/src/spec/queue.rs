//! Spec of 07.1. Positions are exact: 50 users joining at once get the
//! positions 1 to 50, each where its request really stands, and the line is
//! served in that order. A pause between two of a join's commands, with
//! another join in the gap, changes nothing.

use super::erased::DynTicketQueue;
use super::together;
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
    queue
        .join(ticket, user)
        .await
        .unwrap_or_else(|e| panic!("join({ticket}, {user}) failed: {e}"))
}

async fn position(queue: &dyn DynTicketQueue, queue_id: &str) -> Option<u64> {
    queue
        .position(queue_id)
        .await
        .unwrap_or_else(|e| panic!("position({queue_id}) failed: {e}"))
}

async fn next(queue: &dyn DynTicketQueue) -> Option<crate::queue::Entry> {
    queue
        .next()
        .await
        .unwrap_or_else(|e| panic!("next() failed: {e}"))
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
                    "{USERS} users joined at once and must get the positions 1 to {USERS}, once \
                     each; positions given more than once: {twice:?} (all: {positions:?}). The \
                     position must come from the command that adds the request (RPUSH answers \
                     the list's new length), not from a count read before or after it"
                );
            }
            for (_, j) in &joined {
                let now = position(&*queue, &j.queue_id).await;
                assert_eq!(
                    now,
                    Some(j.position),
                    "join answered position {} but the request stands at {now:?}: the answer \
                     must say where the request really is",
                    j.position
                );
            }
            let mut by_position = joined.clone();
            by_position.sort_by_key(|(_, j)| j.position);
            for (i, j) in &by_position {
                let entry = next(&*queue).await.unwrap_or_else(|| {
                    panic!("the line ran out before position {} was served", j.position)
                });
                assert_eq!(
                    (entry.queue_id.as_str(), entry.ticket, entry.user.as_str()),
                    (
                        j.queue_id.as_str(),
                        *i as i64 % 5,
                        format!("user{i}").as_str()
                    ),
                    "next() must serve the line in order of position (FIFO): position {} was \
                     user{i}'s request for ticket {}",
                    j.position,
                    *i as i64 % 5
                );
            }
            assert!(
                next(&*queue).await.is_none(),
                "next() on an empty line must be None"
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
        next(&*queue).await.expect("the first request");
        next(&*queue).await.expect("the second request");
        for (i, id) in ids.iter().enumerate() {
            let expected = (i >= 2).then(|| i as u64 - 1);
            let got = position(&*queue, id).await;
            assert_eq!(
                got,
                expected,
                "5 joined, 2 were served: request {} must now be at {expected:?}, got {got:?}. \
                 A position is where the request stands in the list now (LPOS), not what it \
                 was when it joined; a served request has none",
                i + 1
            );
        }
    })
    .await;
}

async fn a_pause_between_two_commands_changes_nothing(make: MakeQueue) {
    with_redis(move |slot| async move {
        for round in 0..ROUNDS {
            let prefix = format!("{}p{round}:", slot.prefix);
            let pausable = Pausable::connect(&slot.url)
                .await
                .unwrap_or_else(|e| panic!("cannot start the pausing proxy: {e}"));
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
            let first = first.await.expect("ann's join");
            let mut both = [first.position, second.position];
            both.sort_unstable();
            assert_eq!(
                both,
                [1, 2],
                "ann's join was paused after its first command while bob joined: they must \
                 get positions 1 and 2, got ann {} and bob {}. Add the request and learn its \
                 position in one command (RPUSH answers the new length)",
                first.position,
                second.position
            );
            for (who, j) in [("ann", &first), ("bob", &second)] {
                let now = position(&*fast, &j.queue_id).await;
                assert_eq!(
                    now,
                    Some(j.position),
                    "{who} was told position {} but stands at {now:?} after a paused join: \
                     the position must be the list's own, not a separate counter's",
                    j.position
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
            .unwrap_or_else(|e| panic!("cannot start the pausing proxy: {e}"));
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
        let joined = joining.await.expect("ann's join");
        if let Some(entry) = popped {
            assert_eq!(
                (entry.queue_id.as_str(), entry.ticket, entry.user.as_str()),
                (joined.queue_id.as_str(), 4, "ann"),
                "the worker popped ann's request while her join was paused after its first \
                 command, and found it half written. Write the entry's hash first, then RPUSH \
                 its id: a request is in line only once it is complete"
            );
        }
    })
    .await;
}
