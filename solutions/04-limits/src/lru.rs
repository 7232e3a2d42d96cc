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
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

/// No slot: the end of the list.
const NIL: usize = usize::MAX;

struct Slot<K> {
    key: K,
    value: String,
    expires: Instant,
    prev: usize,
    next: usize,
}

// ANCHOR: lru
/// The entries in `slots`, chained from `head` (most recent) to `tail`
/// (least recent) by index; `index` finds a key's slot.
pub struct Lru<K> {
    capacity: usize,
    ttl: Duration,
    index: HashMap<K, usize>,
    slots: Vec<Slot<K>>,
    head: usize,
    tail: usize,
}

impl<K> Lru<K> {
    /// Takes slot `i` out of the chain.
    fn unlink(&mut self, i: usize) {
        let (prev, next) = (self.slots[i].prev, self.slots[i].next);
        match prev {
            NIL => self.head = next,
            p => self.slots[p].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.slots[n].prev = prev,
        }
    }

    /// Puts slot `i` at the head of the chain: the most recently used.
    fn push_front(&mut self, i: usize) {
        self.slots[i].prev = NIL;
        self.slots[i].next = self.head;
        match self.head {
            NIL => self.tail = i,
            h => self.slots[h].prev = i,
        }
        self.head = i;
    }
}
// ANCHOR_END: lru

impl<K: CacheKey> LruCache<K> for Lru<K> {
    fn new(capacity: usize, ttl: Duration) -> Self {
        let capacity = capacity.max(1);
        Lru {
            capacity,
            ttl,
            index: HashMap::with_capacity(capacity),
            slots: Vec::with_capacity(capacity),
            head: NIL,
            tail: NIL,
        }
    }

    fn get(&mut self, key: &K) -> Option<String> {
        let i = *self.index.get(key)?;
        if Instant::now() >= self.slots[i].expires {
            return None;
        }
        self.unlink(i);
        self.push_front(i);
        Some(self.slots[i].value.clone())
    }

    fn put(&mut self, key: K, value: String) {
        let expires = Instant::now() + self.ttl;
        if let Some(&i) = self.index.get(&key) {
            self.slots[i].value = value;
            self.slots[i].expires = expires;
            self.unlink(i);
            self.push_front(i);
            return;
        }
        let slot = Slot {
            key: key.clone(),
            value,
            expires,
            prev: NIL,
            next: NIL,
        };
        let i = if self.slots.len() < self.capacity {
            self.slots.push(slot);
            self.slots.len() - 1
        } else {
            // Full: the least recently used slot takes the new entry.
            let i = self.tail;
            self.unlink(i);
            self.index.remove(&self.slots[i].key);
            self.slots[i] = slot;
            i
        };
        self.index.insert(key, i);
        self.push_front(i);
    }

    fn len(&self) -> usize {
        self.index.len()
    }
}
