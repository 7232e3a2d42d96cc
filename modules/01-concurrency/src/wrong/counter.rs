//! 01.1: counters that look fixed.

use crate::{Counter, think};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Mutex;

// ANCHOR: load_then_store
/// An atomic, used as two steps. `load` and `store` are each indivisible, but
/// another thread can store between them: both threads load 7 and both store 8.
pub struct LoadThenStore {
    value: AtomicU64,
}

impl Counter for LoadThenStore {
    fn new() -> Self {
        LoadThenStore {
            value: AtomicU64::new(0),
        }
    }

    async fn increment(&self) {
        let read = self.value.load(Ordering::SeqCst);
        self.value.store(read + 1, Ordering::SeqCst);
    }

    fn get(&self) -> u64 {
        self.value.load(Ordering::SeqCst)
    }
}
// ANCHOR_END: load_then_store

// ANCHOR: lock_per_step
/// A lock around the read and another around the write: while this task
/// thinks, holding neither, every other task reads the same old value.
pub struct LockPerStep {
    value: Mutex<u64>,
}

impl Counter for LockPerStep {
    fn new() -> Self {
        LockPerStep {
            value: Mutex::new(0),
        }
    }

    async fn increment(&self) {
        let read = *self.value.lock().await;
        think().await;
        *self.value.lock().await = read + 1;
    }

    fn get(&self) -> u64 {
        *self
            .value
            .try_lock()
            .expect("nobody holds the lock when get is called")
    }
}
// ANCHOR_END: lock_per_step

// ANCHOR: cas_without_retry
/// A compare-and-swap that does not retry: when another task got in first the
/// swap fails, and the increment is dropped without a word.
pub struct CasWithoutRetry {
    value: AtomicU64,
}

impl Counter for CasWithoutRetry {
    fn new() -> Self {
        CasWithoutRetry {
            value: AtomicU64::new(0),
        }
    }

    async fn increment(&self) {
        let read = self.value.load(Ordering::SeqCst);
        think().await;
        let _ = self
            .value
            .compare_exchange(read, read + 1, Ordering::SeqCst, Ordering::SeqCst);
    }

    fn get(&self) -> u64 {
        self.value.load(Ordering::SeqCst)
    }
}
// ANCHOR_END: cas_without_retry
