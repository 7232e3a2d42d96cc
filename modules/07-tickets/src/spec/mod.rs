//! The spec of module 07: one async function per property, taking a `fn` that
//! makes the implementation as a trait object ([`erased`]), and per exercise a
//! `checks` list of them. [`crate::spec!`] runs the lists against the exercise
//! crate and the solution crate; `tests/gallery.rs` runs them against the naive
//! code and the wrong fixes, which they must catch.
//!
//! Races are forced, not waited for: the pause proxy holds a Redis client
//! between two of its commands (07.1, 07.2, 07.3), and the PostgreSQL races
//! hold a row or table lock in the spec's own transaction until the code
//! under test is seen waiting on it (07.3, 07.4). Time is a manual
//! [`crate::clock::Clock`].

pub mod checkout;
pub mod erased;
pub mod live;
pub mod queue;
pub mod sweeper;
pub mod worker;

pub(crate) use racecourse_kit::spec::together;

use crate::MIGRATOR;
use crate::tickets::owner_token;
use racecourse_kit::i18n::t;
use racecourse_kit::pause::Pausable;
use racecourse_kit::services::{RedisSlot, with_pg, with_redis};
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::future::Future;
use std::time::Duration;

/// The clock's start in every check: an arbitrary instant (2026-01-01).
pub(crate) const T0: i64 = 1_767_225_600_000;

pub(crate) use racecourse_kit::spec::OrFail;

/// Runs `body` with a fresh schema and a fresh Redis prefix.
pub(crate) async fn with_both<F, Fut>(body: F)
where
    F: FnOnce(PgPool, RedisSlot) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        with_redis(move |slot| body(pool, slot)).await;
    })
    .await;
}

/// Waits until `task` is finished or another connection of this test's schema
/// is waiting for a lock (a row's, a table's) the spec holds, at most 5 s.
pub(crate) async fn until_blocked_or_done<T>(pool: &PgPool, task: &tokio::task::JoinHandle<T>) {
    until_blocked_or_done_by(pool, task, 1).await;
}

/// Waits until `task` is finished or at least `waiting` other connections of
/// this test's schema wait for a lock, at most 5 s. The pool's connections
/// carry the schema's name as their `application_name`.
pub(crate) async fn until_blocked_or_done_by<T>(
    pool: &PgPool,
    task: &tokio::task::JoinHandle<T>,
    waiting: i64,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !task.is_finished() && tokio::time::Instant::now() < deadline {
        let (blocked,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_stat_activity
             WHERE application_name = current_setting('application_name')
               AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        )
        .fetch_one(pool)
        .await
        .or_fail(|| t!("spec-07-step-pg-stat-activity"));
        if blocked >= waiting {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// What [`lock_stolen_while_held`] saw.
pub(crate) struct Stolen<T> {
    /// The task was held after its first Redis command (it took the lock
    /// first), rather than finishing without sending one.
    pub held: bool,
    /// The lock's time to live, in milliseconds, while the task was held.
    pub ttl: i64,
    /// The token of the owner that took the lock meanwhile.
    pub thief: String,
    /// What the task returned once resumed.
    pub outcome: T,
}

/// Starts `task`, whose Redis client is `pausable`'s, holds it after its
/// first command (taking the lock at `key`), and meanwhile ends that lock as
/// its expiry would and lets another owner take it: what a process that
/// paused too long finds when it resumes. 07.2's worker and 07.3's sweeper
/// must then leave the other owner's lock alone.
pub(crate) async fn lock_stolen_while_held<T, Fut>(
    pausable: &Pausable,
    mut conn: ConnectionManager,
    key: &str,
    task: Fut,
) -> Stolen<T>
where
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    pausable.hold_after_next();
    let running = tokio::spawn(task);
    // Held after its first command, or finished without sending one.
    let held = tokio::select! {
        _ = pausable.paused() => true,
        _ = async {
            while !running.is_finished() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        } => false,
    };
    let ttl: i64 = redis::cmd("PTTL")
        .arg(key)
        .query_async(&mut conn)
        .await
        .expect("PTTL");
    let thief = owner_token();
    let _: () = redis::cmd("SET")
        .arg(key)
        .arg(&thief)
        .arg("PX")
        .arg(10_000)
        .query_async(&mut conn)
        .await
        .expect("SET");
    pausable.resume();
    let outcome = racecourse_kit::spec::join(running).await;
    Stolen {
        held,
        ttl,
        thief,
        outcome,
    }
}
