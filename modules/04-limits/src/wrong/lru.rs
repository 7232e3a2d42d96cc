//! 04.5: LRU caches that look right. They share one right cache ([`Core`]:
//! a hash map and a linked list by index, constant time) but for `get`,
//! which each writes from the core's steps, one of them wrong.

use crate::lru::{CacheKey, LruCache};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

const NIL: usize = usize::MAX;

struct Slot<K> {
    key: K,
    value: String,
    expires: Instant,
    prev: usize,
    next: usize,
}

/// A right cache but for `get`, which each wrong fix writes from the steps
/// below.
struct Core<K> {
    capacity: usize,
    ttl: Duration,
    index: HashMap<K, usize>,
    slots: Vec<Slot<K>>,
    head: usize,
    tail: usize,
}

impl<K> Core<K> {
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

    fn push_front(&mut self, i: usize) {
        self.slots[i].prev = NIL;
        self.slots[i].next = self.head;
        match self.head {
            NIL => self.tail = i,
            h => self.slots[h].prev = i,
        }
        self.head = i;
    }

    /// Makes slot `i` the most recently used.
    fn touch(&mut self, i: usize) {
        self.unlink(i);
        self.push_front(i);
    }

    /// Gives slot `i` a whole TTL from now.
    fn restart_ttl(&mut self, i: usize) {
        self.slots[i].expires = Instant::now() + self.ttl;
    }

    fn value(&self, i: usize) -> String {
        self.slots[i].value.clone()
    }
}

impl<K: CacheKey> Core<K> {
    fn new(capacity: usize, ttl: Duration) -> Self {
        Core {
            capacity: capacity.max(1),
            ttl,
            index: HashMap::new(),
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
        }
    }

    /// `key`'s slot, expired or not.
    fn find(&self, key: &K) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// `key`'s slot if it has not expired.
    fn live(&self, key: &K) -> Option<usize> {
        self.find(key)
            .filter(|&i| Instant::now() < self.slots[i].expires)
    }

    fn put(&mut self, key: K, value: String) {
        if let Some(i) = self.find(&key) {
            self.slots[i].value = value;
            self.restart_ttl(i);
            self.touch(i);
            return;
        }
        let slot = Slot {
            key: key.clone(),
            value,
            expires: Instant::now() + self.ttl,
            prev: NIL,
            next: NIL,
        };
        let i = if self.slots.len() < self.capacity {
            self.slots.push(slot);
            self.slots.len() - 1
        } else {
            let i = self.tail;
            self.unlink(i);
            self.index.remove(&self.slots[i].key);
            self.slots[i] = slot;
            i
        };
        self.index.insert(key, i);
        self.push_front(i);
    }
}

/// Each wrong fix is a [`Core`] with a `get` of its own (`lookup`): this
/// makes them [`LruCache`]s.
macro_rules! caches_over_core {
    ($($name:ident),*) => {$(
        pub struct $name<K>(Core<K>);

        impl<K: CacheKey> LruCache<K> for $name<K> {
            fn new(capacity: usize, ttl: Duration) -> Self {
                $name(Core::new(capacity, ttl))
            }

            fn get(&mut self, key: &K) -> Option<String> {
                self.lookup(key)
            }

            fn put(&mut self, key: K, value: String) {
                self.0.put(key, value)
            }

            fn len(&self) -> usize {
                self.0.index.len()
            }
        }
    )*};
}

caches_over_core!(Fifo, TtlRefreshedOnGet, ServesExpired);

// ANCHOR: fifo
/// A hit does not move its entry: the order is the order of insertion, and
/// the cache evicts the oldest entry, however hot. First in, first out is not
/// least recently used.
impl<K: CacheKey> Fifo<K> {
    fn lookup(&mut self, key: &K) -> Option<String> {
        let i = self.0.live(key)?;
        Some(self.0.value(i))
    }
}
// ANCHOR_END: fifo

// ANCHOR: ttl_refreshed_on_get
/// A hit restarts the entry's TTL, as a session timeout does. For a cache it
/// means a popular entry never expires, and never picks up its source's
/// changes.
impl<K: CacheKey> TtlRefreshedOnGet<K> {
    fn lookup(&mut self, key: &K) -> Option<String> {
        let i = self.0.live(key)?;
        self.0.restart_ttl(i);
        self.0.touch(i);
        Some(self.0.value(i))
    }
}
// ANCHOR_END: ttl_refreshed_on_get

// ANCHOR: serves_expired
/// Expiry only decides what to evict first; `get` returns whatever is there.
/// In a cache that is not full, nothing is evicted, and stale entries are
/// served for ever.
impl<K: CacheKey> ServesExpired<K> {
    fn lookup(&mut self, key: &K) -> Option<String> {
        let i = self.0.find(key)?;
        self.0.touch(i);
        Some(self.0.value(i))
    }
}
// ANCHOR_END: serves_expired
