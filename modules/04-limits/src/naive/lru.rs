//! 04.5, naive: the order kept in a `VecDeque`, moved by a scan.

use crate::lru::{CacheKey, LruCache};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: naive
/// Right answers, wrong cost: a hit moves its key to the back of the order by
/// finding it first (`retain`), a walk through every entry. With a thousand
/// entries nobody notices; with a million each `get` does a million steps.
pub struct ScanLru<K> {
    capacity: usize,
    ttl: Duration,
    entries: HashMap<K, (String, Instant)>,
    order: VecDeque<K>,
}

impl<K: CacheKey> ScanLru<K> {
    fn touch(&mut self, key: &K) {
        self.order.retain(|k| k != key);
        self.order.push_back(key.clone());
    }
}

impl<K: CacheKey> LruCache<K> for ScanLru<K> {
    fn new(capacity: usize, ttl: Duration) -> Self {
        ScanLru {
            capacity: capacity.max(1),
            ttl,
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn get(&mut self, key: &K) -> Option<String> {
        let (value, expires) = self.entries.get(key)?.clone();
        if Instant::now() >= expires {
            return None;
        }
        self.touch(key);
        Some(value)
    }
    // ANCHOR_END: naive

    fn put(&mut self, key: K, value: String) {
        let expires = Instant::now() + self.ttl;
        if self.entries.insert(key.clone(), (value, expires)).is_some() {
            self.touch(&key);
            return;
        }
        self.order.push_back(key);
        if self.order.len() > self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.entries.remove(&oldest);
        }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}
