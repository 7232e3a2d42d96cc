//! Spec of 01.1.

use super::erased::DynCounter;
use super::together;
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
            no_lost_updates(locked),
        ),
        Check::new(
            "atomic_counter_loses_nothing",
            Runtime::Threads,
            no_lost_updates(atomic),
        ),
    ]
}

const TASKS: usize = 1000;
const INCREMENTS: usize = 100;

/// 1000 tasks, started together, each increment 100 times: the counter must end
/// at exactly 100000.
pub async fn no_lost_updates(make: MakeCounter) {
    let first = make();
    first.increment().await;
    assert_eq!(
        first.get(),
        1,
        "a new counter incremented once should read 1"
    );

    let counter = make();
    together(TASKS, |_| {
        let counter = counter.clone();
        async move {
            for _ in 0..INCREMENTS {
                counter.increment().await;
            }
        }
    })
    .await;
    let expected = (TASKS * INCREMENTS) as u64;
    let got = counter.get();
    assert!(
        got == expected,
        "expected {expected} after {TASKS} tasks x {INCREMENTS} increments, got {got}: {} increments lost",
        expected.saturating_sub(got)
    );
}
