//! Spec of 04.5, on tokio's paused clock for the TTL; the constant-time check
//! compares the cost of an operation in a cache of 200 entries with one of
//! 20,000, in real time, on the same machine in the same second.

use crate::lru::LruCache;
use racecourse_kit::spec::{Check, Runtime};
use std::time::Duration;
use tokio::time::advance;

/// Makes an empty cache of this capacity and TTL.
pub type MakeLru = fn(usize, Duration) -> Box<dyn LruCache>;

/// The checks of 04.5.
pub fn checks(make: MakeLru) -> Vec<Check> {
    vec![
        Check::new(
            "capacity_and_recency",
            Runtime::PausedClock,
            capacity_and_recency(make),
        ),
        Check::new(
            "put_refreshes_value_and_recency",
            Runtime::PausedClock,
            put_refreshes_value_and_recency(make),
        ),
        Check::new(
            "entries_expire_after_the_ttl",
            Runtime::PausedClock,
            entries_expire_after_the_ttl(make),
        ),
        Check::new(
            "get_and_put_take_constant_time",
            Runtime::PausedClock,
            get_and_put_take_constant_time(make),
        ),
    ]
}

const HOUR: Duration = Duration::from_secs(3600);

fn expect(cache: &mut dyn LruCache, key: &str, expected: Option<&str>, why: &str) {
    let got = cache.get(key);
    assert!(
        got.as_deref() == expected,
        "get(\"{key}\") answered {got:?}, expected {expected:?}: {why}"
    );
}

/// A full cache evicts the least recently used entry, where a hit counts as a
/// use; it never holds more than its capacity.
pub async fn capacity_and_recency(make: MakeLru) {
    let mut c = make(3, HOUR);
    let c = &mut *c;
    for k in ["a", "b", "c"] {
        c.put(k, k.to_uppercase());
    }
    expect(c, "a", Some("A"), "a was just put");
    c.put("d", "D".into());
    expect(
        c,
        "b",
        None,
        "capacity 3: a, b, c put, then a read, then d put: b is the least recently used and \
         must be the one evicted (a was used after b; evicting a is first-in first-out, not LRU)",
    );
    expect(c, "a", Some("A"), "a was used after b, so it stays");
    expect(c, "c", Some("C"), "c stays");
    expect(c, "d", Some("D"), "d was just put");
    c.put("e", "E".into());
    expect(
        c,
        "a",
        None,
        "after the reads a, c, d, a was the least recently used when e came",
    );
    for i in 0..100 {
        c.put(&format!("k{i}"), "v".into());
    }
    assert!(
        c.len() == 3,
        "capacity 3, 100 more entries put: the cache holds {}, expected 3",
        c.len()
    );
}

/// Putting a key again replaces its value and makes it the most recent.
pub async fn put_refreshes_value_and_recency(make: MakeLru) {
    let mut c = make(3, HOUR);
    let c = &mut *c;
    c.put("a", "1".into());
    c.put("b", "1".into());
    c.put("c", "1".into());
    c.put("a", "2".into());
    assert!(
        c.len() == 3,
        "putting a again must not add an entry: len {}",
        c.len()
    );
    c.put("d", "1".into());
    expect(
        c,
        "b",
        None,
        "a was put again after b, so b is the least recently used",
    );
    expect(c, "a", Some("2"), "a's value is the last one put");
}

/// An entry lives `ttl` after its last put; a get does not extend it.
pub async fn entries_expire_after_the_ttl(make: MakeLru) {
    let ttl = Duration::from_secs(10);
    let mut c = make(10, ttl);
    let c = &mut *c;
    c.put("a", "A".into());
    advance(Duration::from_secs(9)).await;
    expect(
        c,
        "a",
        Some("A"),
        "9 s after its put, with a TTL of 10 s, a is live",
    );
    advance(Duration::from_secs(2)).await;
    expect(
        c,
        "a",
        None,
        "11 s after its put, with a TTL of 10 s, a has expired, even though it was read at 9 s: \
         a read does not extend the TTL, or a popular entry is never refreshed from its source",
    );
    c.put("b", "1".into());
    advance(Duration::from_secs(5)).await;
    c.put("b", "2".into());
    advance(Duration::from_secs(9)).await;
    expect(
        c,
        "b",
        Some("2"),
        "b was put again 9 s ago: its TTL restarted then",
    );
    advance(Duration::from_secs(2)).await;
    expect(c, "b", None, "b's last put was 11 s ago: expired");
}

/// The cost of `ops` gets (spread over the whole cache) and puts of new keys
/// (each evicting one), in a cache of `capacity`, per operation.
fn per_op(make: MakeLru, capacity: usize) -> Duration {
    let mut c = make(capacity, HOUR);
    let keys: Vec<String> = (0..capacity).map(|i| format!("key-{i}")).collect();
    let fresh: Vec<String> = (0..1000).map(|i| format!("new-{i}")).collect();
    for k in &keys {
        c.put(k, "v".into());
    }
    const GETS: usize = 3000;
    let started = std::time::Instant::now();
    for i in 0..GETS {
        // A stride coprime with the capacity visits the whole cache, the
        // oldest entries included.
        std::hint::black_box(c.get(&keys[(i * 7919) % capacity]));
    }
    for k in &fresh {
        c.put(k, "v".into());
    }
    started.elapsed() / (GETS + fresh.len()) as u32
}

/// A get or a put costs about the same in a cache of 20,000 entries as in one
/// of 200: not a scan of the entries.
pub async fn get_and_put_take_constant_time(make: MakeLru) {
    // A busy machine slows some measurements, never speeds one up: the
    // fastest of three rounds, for each size, is the cost.
    let (mut small, mut large) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        small = small.min(per_op(make, 200));
        large = large.min(per_op(make, 20_000));
    }
    // A right cache measures 1 to 4 times (memory is slower for the bigger
    // one); a scan of the entries, 50 to 100 times.
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-12);
    assert!(
        ratio < 20.0,
        "an operation took {small:?} in a cache of 200 entries and {large:?} in one of 20,000 \
         (the fastest of three rounds each): {ratio:.0} times as long for 100 times the \
         entries; get and put must take constant time (a hash map to find the entry, a \
         linked list by index for the order), not scan the entries"
    );
}
