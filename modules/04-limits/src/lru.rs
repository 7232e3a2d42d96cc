//! Exercise 04.5: an LRU cache with a TTL, in memory. At most `capacity`
//! entries; putting one more into a full cache evicts the least recently used
//! (a `get` that finds an entry, or a `put`, makes it the most recent); an
//! entry lives `ttl` after its last `put` (a `get` does not extend it) and is
//! never returned after that. `get` and `put` take constant time, whatever the
//! capacity: a hash map for the look-up, a doubly linked list (in a `Vec`, by
//! index) for the order.
//!
//! The cache is generic over its key so that the spec can tell a look-up from
//! a scan without a stopwatch: its keys count how often they are hashed and
//! compared, and a scan compares every key it walks past.
//!
//! The clock is tokio's, which the spec pauses.

use std::fmt::Debug;
use std::hash::Hash;
use std::time::Duration;

/// What a key can be: hashed and compared (for a map, or ordered for a tree),
/// cloned (a key is kept in the map and in the order), printed in a message.
pub trait CacheKey: Hash + Eq + Ord + Clone + Debug + Send + 'static {}

impl<K: Hash + Eq + Ord + Clone + Debug + Send + 'static> CacheKey for K {}

pub trait LruCache<K: CacheKey>: Send + 'static {
    /// An empty cache of at most `capacity` entries (at least 1), each living
    /// `ttl` after its last `put`.
    fn new(capacity: usize, ttl: Duration) -> Self
    where
        Self: Sized;

    /// The value under `key` if it is there and has not expired; a hit makes
    /// it the most recently used. An expired entry is a miss.
    fn get(&mut self, key: &K) -> Option<String>;

    /// Puts `value` under `key` (replacing any value, restarting its TTL) as
    /// the most recently used, evicting the least recently used if the cache
    /// would hold more than its capacity.
    fn put(&mut self, key: K, value: String);

    /// How many entries it holds, expired ones not yet dropped included.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
