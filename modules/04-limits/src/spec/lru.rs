//! Spec of 04.5, on tokio's paused clock for the TTL. The constant-time check
//! counts work instead of timing it: the spec's [`Key`] counts how often it is
//! hashed or compared, which a scan of the entries does once per entry and a
//! hash map a few times in all, on a slow machine as on a fast one.

use crate::lru::LruCache;
use racecourse_kit::i18n::t;
use racecourse_kit::spec::{Check, Runtime};
use std::cell::Cell;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::time::Duration;
use tokio::time::advance;

/// Makes an empty cache of this capacity and TTL.
pub type MakeLru = fn(usize, Duration) -> Box<dyn LruCache<Key>>;

thread_local! {
    /// How many times a [`Key`] was hashed or compared on this thread. Per
    /// thread, so that checks running side by side do not add to each
    /// other's; a cache's `get` and `put` run on their caller's thread.
    static KEY_CALLS: Cell<u64> = const { Cell::new(0) };
}

/// The spec's key: a name whose `Hash`, `Eq` and `Ord` each count a call.
#[derive(Clone)]
pub struct Key(String);

impl Key {
    fn counted() {
        KEY_CALLS.set(KEY_CALLS.get() + 1);
    }
}

impl From<&str> for Key {
    fn from(name: &str) -> Self {
        Key(name.to_string())
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Key::counted();
        self.0.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        Key::counted();
        self.0 == other.0
    }
}

impl Eq for Key {}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        Key::counted();
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

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

fn expect(cache: &mut dyn LruCache<Key>, key: &str, expected: Option<&str>, why: &str) {
    let got = cache.get(&key.into());
    assert!(
        got.as_deref() == expected,
        "{}",
        t!(
            "spec-04-5-get",
            key = key,
            got = format!("{got:?}"),
            expected = format!("{expected:?}"),
            why = why
        )
    );
}

/// A full cache evicts the least recently used entry, where a hit counts as a
/// use; it never holds more than its capacity.
pub async fn capacity_and_recency(make: MakeLru) {
    let mut c = make(3, HOUR);
    let c = &mut *c;
    for k in ["a", "b", "c"] {
        c.put(k.into(), k.to_uppercase());
    }
    expect(c, "a", Some("A"), &t!("spec-04-5-why-a-just-put"));
    c.put("d".into(), "D".into());
    expect(c, "b", None, &t!("spec-04-5-why-evict-b"));
    expect(c, "a", Some("A"), &t!("spec-04-5-why-a-stays"));
    expect(c, "c", Some("C"), &t!("spec-04-5-why-c-stays"));
    expect(c, "d", Some("D"), &t!("spec-04-5-why-d-just-put"));
    c.put("e".into(), "E".into());
    expect(c, "a", None, &t!("spec-04-5-why-evict-a"));
    for i in 0..100 {
        c.put(Key(format!("k{i}")), "v".into());
    }
    assert!(c.len() == 3, "{}", t!("spec-04-5-capacity", len = c.len()));
}

/// Putting a key again replaces its value and makes it the most recent.
pub async fn put_refreshes_value_and_recency(make: MakeLru) {
    let mut c = make(3, HOUR);
    let c = &mut *c;
    c.put("a".into(), "1".into());
    c.put("b".into(), "1".into());
    c.put("c".into(), "1".into());
    c.put("a".into(), "2".into());
    assert!(c.len() == 3, "{}", t!("spec-04-5-put-again", len = c.len()));
    c.put("d".into(), "1".into());
    expect(c, "b", None, &t!("spec-04-5-why-put-again-b"));
    expect(c, "a", Some("2"), &t!("spec-04-5-why-last-value"));
}

/// An entry lives `ttl` after its last put; a get does not extend it.
pub async fn entries_expire_after_the_ttl(make: MakeLru) {
    let ttl = Duration::from_secs(10);
    let mut c = make(10, ttl);
    let c = &mut *c;
    c.put("a".into(), "A".into());
    advance(Duration::from_secs(9)).await;
    expect(c, "a", Some("A"), &t!("spec-04-5-why-live"));
    advance(Duration::from_secs(2)).await;
    expect(c, "a", None, &t!("spec-04-5-why-expired"));
    c.put("b".into(), "1".into());
    advance(Duration::from_secs(5)).await;
    c.put("b".into(), "2".into());
    advance(Duration::from_secs(9)).await;
    expect(c, "b", Some("2"), &t!("spec-04-5-why-ttl-restarted"));
    advance(Duration::from_secs(2)).await;
    expect(c, "b", None, &t!("spec-04-5-why-b-expired"));
}

/// How many times keys were hashed or compared while `op` ran.
fn key_calls(op: impl FnOnce()) -> u64 {
    let before = KEY_CALLS.get();
    op();
    KEY_CALLS.get() - before
}

/// The middle of the calls each operation made: a rare costly one (a hash
/// map growing, or rehashing in place, hashes every key once) does not move
/// it; a scan at every operation does.
fn median(mut calls: Vec<u64>) -> u64 {
    calls.sort_unstable();
    calls[calls.len() / 2]
}

/// The entries of the cache the constant-time check fills.
const ENTRIES: usize = 10_000;
/// The most hashes and comparisons of keys one operation may make: a hash map
/// makes 2 for a hit (a hash, an equality), about 4 for a put that evicts.
const MOST_CALLS: u64 = 16;

/// A get or a put hashes or compares a few keys, however many the cache holds:
/// not a scan of the entries. Counted, not timed, so a busy machine changes
/// nothing.
pub async fn get_and_put_take_constant_time(make: MakeLru) {
    let mut c = make(ENTRIES, HOUR);
    let keys: Vec<Key> = (0..ENTRIES).map(|i| Key(format!("key-{i}"))).collect();
    for k in &keys {
        c.put(k.clone(), "v".into());
    }
    const OPS: usize = 200;
    // A stride coprime with the number of entries reaches all over the order,
    // the least recent entries included.
    let hits = (0..OPS)
        .map(|i| key_calls(|| drop(c.get(&keys[(i * 7919) % ENTRIES]))))
        .collect();
    let fresh: Vec<Key> = (0..OPS).map(|i| Key(format!("new-{i}"))).collect();
    let evicting = fresh
        .iter()
        .map(|k| key_calls(|| c.put(k.clone(), "v".into())))
        .collect();
    let again = fresh
        .iter()
        .map(|k| key_calls(|| c.put(k.clone(), "w".into())))
        .collect();
    for (what, calls) in [
        (t!("spec-04-5-op-hit"), hits),
        (t!("spec-04-5-op-evicting"), evicting),
        (t!("spec-04-5-op-again"), again),
    ] {
        let typical = median(calls);
        assert!(
            typical <= MOST_CALLS,
            "{}",
            t!(
                "spec-04-5-constant-time",
                entries = ENTRIES,
                what = what,
                calls = typical,
                ops = OPS,
                most = MOST_CALLS
            )
        );
    }
}
