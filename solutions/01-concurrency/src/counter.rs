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

use racecourse_01::{Counter, think};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Mutex;

/// A counter whose increment does some work between reading and writing, so
/// the value is guarded by a lock held across that work.
pub struct LockedCounter {
    value: Mutex<u64>,
}

impl Counter for LockedCounter {
    fn new() -> Self {
        LockedCounter {
            value: Mutex::new(0),
        }
    }

    // ANCHOR: locked
    async fn increment(&self) {
        // The guard lives to the end of the function: no other task can read
        // between our read and our write, even while we await.
        let mut value = self.value.lock().await;
        let read = *value;
        think().await;
        *value = read + 1;
    }
    // ANCHOR_END: locked

    fn get(&self) -> u64 {
        // `try_lock` fails only while an increment is in flight; the spec reads
        // after every task has finished. Waiting would need an async `get`.
        self.value.try_lock().map(|v| *v).unwrap_or_default()
    }
}

/// A counter whose increment is one atomic instruction.
pub struct AtomicCounter {
    value: AtomicU64,
}

impl Counter for AtomicCounter {
    fn new() -> Self {
        AtomicCounter {
            value: AtomicU64::new(0),
        }
    }

    // ANCHOR: atomic
    async fn increment(&self) {
        // Read and write in one step: there is no gap for another task.
        // Relaxed suffices: the counter publishes no other memory.
        self.value.fetch_add(1, Ordering::Relaxed);
    }
    // ANCHOR_END: atomic

    fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}
