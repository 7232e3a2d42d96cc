//! Spec of 01.1.

use super::erased::DynCounter;
use super::together;
use racecourse_kit::i18n::t;
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;

/// Makes a counter at zero.
pub type MakeCounter = fn() -> Arc<dyn DynCounter>;

/// The checks of 01.1, one per counter.
pub fn checks(locked: MakeCounter, atomic: MakeCounter) -> Vec<Check> {
    vec![
        Check::new(
            "locked_counter_loses_nothing",
            Runtime::Threads,
            no_lost_updates(locked, LOCKED_INCREMENTS),
        ),
        Check::new(
            "atomic_counter_loses_nothing",
            Runtime::Threads,
            no_lost_updates(atomic, ATOMIC_INCREMENTS),
        ),
    ]
}

const TASKS: usize = 1000;
/// Per task, for the locked counter: its race is the `think()` between read
/// and write, which every increment has.
const LOCKED_INCREMENTS: usize = 100;
/// Per task, for the atomic counter: an atomic used as load-then-store loses
/// an update only when two threads run its two steps at the same instant,
/// which needs both cores at once. On a loaded 2-core machine 100 increments
/// per task missed it in 1 run of 3; ten times as many, a tenth of a second
/// for a correct counter, give the cores that many more chances to meet.
const ATOMIC_INCREMENTS: usize = 1000;

/// 1000 tasks, started together, each incrementing `increments` times: the
/// counter must end at exactly 1000 x `increments`.
pub async fn no_lost_updates(make: MakeCounter, increments: usize) {
    let first = make();
    first.increment().await;
    let once = first.get();
    assert!(once == 1, "{}", t!("spec-01-1-once", got = once));

    let counter = make();
    together(TASKS, |_| {
        let counter = counter.clone();
        async move {
            for _ in 0..increments {
                counter.increment().await;
            }
        }
    })
    .await;
    let expected = (TASKS * increments) as u64;
    let got = counter.get();
    assert!(
        got == expected,
        "{}",
        t!(
            "spec-01-1-lost",
            expected = expected,
            tasks = TASKS,
            increments = increments,
            got = got,
            lost = expected.saturating_sub(got)
        )
    );
}
