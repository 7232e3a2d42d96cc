//! # 04.5 LRU cache with a TTL (in memory)
//!
//! **The flaw.** The first LRU most of us write keeps the order in a `Vec` or
//! `VecDeque` and moves a key to the back on every hit: a scan of the whole
//! order, so a cache of a million entries does a million steps per `get`.
//!
//! **Your task.** A `HashMap` from key to a slot, and the slots in a `Vec`
//! chained into a doubly linked list by index (most recent at the head): a
//! hit unlinks its slot and links it at the head, a put into a full cache
//! reuses the tail's slot. Each slot keeps when it expires; `get` treats an
//! expired entry as a miss, and a `get` does not extend it.
//!
//! **The spec checks** the capacity bound and the eviction order (a hit
//! counts as a use), that a put replaces the value and refreshes recency and
//! TTL, expiry on tokio's paused clock, and that a get or a put in a cache of
//! 10,000 entries hashes or compares only a few keys (its keys count it): a
//! scan compares them all. The cache is generic over its key `K` for that.
//!
//! Run `cargo xtask test 04.5`; stuck? `cargo xtask hint 04.5`.

use racecourse_04::{CacheKey, LruCache};
use std::marker::PhantomData;
use std::time::Duration;

/// Choose what it holds: a map from key to slot, the slots (key, value,
/// expiry, previous and next slot), the head and the tail of the order.
pub struct Lru<K> {
    capacity: usize,
    ttl: Duration,
    /// Until a field of yours holds a `K` (the map's keys, the slots' keys).
    keys: PhantomData<K>,
}

impl<K: CacheKey> LruCache<K> for Lru<K> {
    fn new(capacity: usize, ttl: Duration) -> Self {
        Lru {
            capacity,
            ttl,
            keys: PhantomData,
        }
    }

    fn get(&mut self, key: &K) -> Option<String> {
        todo!("04.5 exercises/04-limits/src/lru.rs: Lru::get({key:?})")
    }

    fn put(&mut self, key: K, value: String) {
        let (_ttl, _capacity) = (self.ttl, self.capacity);
        todo!("04.5 exercises/04-limits/src/lru.rs: Lru::put({key:?}, {value})")
    }

    /// How many entries it holds.
    fn len(&self) -> usize {
        todo!("04.5 exercises/04-limits/src/lru.rs: Lru::len")
    }
}
