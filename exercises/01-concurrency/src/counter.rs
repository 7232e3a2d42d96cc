// ANCHOR: header
//! # 01.1 Lost-update counter
//!
//! **The race.** `increment` reads the value, awaits some work, and writes the
//! value plus one. Two tasks that read the same value both write the same
//! result: one increment is lost, and nothing reports an error.
//!
//! **Your task.** Make both counters lose nothing: `LockedCounter` by holding a
//! lock across the whole read, work, write; `AtomicCounter` with no lock at all,
//! by making the read and the write one indivisible step.
//!
//! **The spec checks** that 1000 tasks started together leave each counter at
//! exactly the number of increments: 100 each (100000) with the lock, 1000
//! each (1000000) with the atomic.
//!
//! Run `cargo xtask test 01.1`; stuck? `cargo xtask hint 01.1`.
// ANCHOR_END: header

use racecourse_01::{Counter, think};

/// A counter whose increment does some work between reading and writing.
/// Choose what it holds: the value must survive 1000 tasks at once.
pub struct LockedCounter {}

impl Counter for LockedCounter {
    fn new() -> Self {
        LockedCounter {}
    }

    // ANCHOR: stub
    async fn increment(&self) {
        // Keep the shape read, think, write: the work in the middle is the point.
        think().await;
        todo!("01.1 exercises/01-concurrency/src/counter.rs: LockedCounter::increment")
    }
    // ANCHOR_END: stub

    fn get(&self) -> u64 {
        todo!("01.1 exercises/01-concurrency/src/counter.rs: LockedCounter::get")
    }
}

/// A counter whose increment needs no lock at all.
pub struct AtomicCounter {}

impl Counter for AtomicCounter {
    fn new() -> Self {
        AtomicCounter {}
    }

    async fn increment(&self) {
        todo!("01.1 exercises/01-concurrency/src/counter.rs: AtomicCounter::increment")
    }

    fn get(&self) -> u64 {
        todo!("01.1 exercises/01-concurrency/src/counter.rs: AtomicCounter::get")
    }
}
