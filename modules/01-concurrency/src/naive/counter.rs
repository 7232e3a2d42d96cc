//! Read, yield, write: the lost update in four lines.

use crate::{Counter, think};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct NaiveCounter {
    value: AtomicU64,
}

impl Counter for NaiveCounter {
    fn new() -> Self {
        NaiveCounter {
            value: AtomicU64::new(0),
        }
    }

    async fn increment(&self) {
        let read = self.value.load(Ordering::SeqCst);
        think().await;
        // Every task that read the same value writes the same value + 1.
        self.value.store(read + 1, Ordering::SeqCst);
    }

    fn get(&self) -> u64 {
        self.value.load(Ordering::SeqCst)
    }
}
