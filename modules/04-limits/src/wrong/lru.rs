//! 04.5: LRU caches that look right. They share one constant-time cache
//! ([`Flawed`]: a hash map and a linked list by index), each with one step
//! done wrong.

use crate::lru::{CacheKey, LruCache};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;

const FIFO: u8 = 0;
const TTL_REFRESHED_ON_GET: u8 = 1;
const SERVES_EXPIRED: u8 = 2;

// ANCHOR: fifo
/// A hit does not move its entry: the order is the order of insertion, and
/// the cache evicts the oldest entry, however hot. First in, first out is not
/// least recently used.
pub type Fifo<K> = Flawed<K, FIFO>;
// ANCHOR_END: fifo

// ANCHOR: ttl_refreshed_on_get
/// A hit restarts the entry's TTL, as a session timeout does. For a cache it
/// means a popular entry never expires, and never picks up its source's
/// changes.
pub type TtlRefreshedOnGet<K> = Flawed<K, TTL_REFRESHED_ON_GET>;
// ANCHOR_END: ttl_refreshed_on_get

// ANCHOR: serves_expired
/// Expiry only decides what to evict first; `get` returns whatever is there.
/// In a cache that is not full, nothing is evicted, and stale entries are
/// served for ever.
pub type ServesExpired<K> = Flawed<K, SERVES_EXPIRED>;
// ANCHOR_END: serves_expired

const NIL: usize = usize::MAX;

struct Slot<K> {
    key: K,
    value: String,
    expires: Instant,
    prev: usize,
    next: usize,
}

pub struct Flawed<K, const FLAW: u8> {
    capacity: usize,
    ttl: Duration,
    index: HashMap<K, usize>,
    slots: Vec<Slot<K>>,
    head: usize,
    tail: usize,
}

impl<K, const FLAW: u8> Flawed<K, FLAW> {
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
}

impl<K: CacheKey, const FLAW: u8> LruCache<K> for Flawed<K, FLAW> {
    fn new(capacity: usize, ttl: Duration) -> Self {
        Flawed {
            capacity: capacity.max(1),
            ttl,
            index: HashMap::new(),
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
        }
    }

    fn get(&mut self, key: &K) -> Option<String> {
        let i = *self.index.get(key)?;
        let now = Instant::now();
        if FLAW != SERVES_EXPIRED && now >= self.slots[i].expires {
            return None;
        }
        if FLAW == TTL_REFRESHED_ON_GET {
            self.slots[i].expires = now + self.ttl;
        }
        if FLAW != FIFO {
            self.unlink(i);
            self.push_front(i);
        }
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
