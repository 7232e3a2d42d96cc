//! The LRU cache beside the naive one (the cost of a scan) and beside moka
//! (speed and hit ratio on one skewed trace).

use crate::{Impl, per_second};
use racecourse_04::LruCache;
use racecourse_04::naive::lru::ScanLru;
use racecourse_04::spec::erased::lru_cache;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Makes an LRU cache of `String` keys, as `racecourse_04::spec::erased::lru_cache` does.
pub type MakeLru = fn(usize, Duration) -> Box<dyn LruCache<String>>;

/// Longer than any run: nothing expires, every miss is the policy's.
const TTL: Duration = Duration::from_secs(3600);

/// Lookups per second (hits, spread over the whole cache) of a cache holding
/// `entries` entries.
fn lookups_per_second(make: MakeLru, entries: usize, time: Duration) -> f64 {
    let mut cache = make(entries, TTL);
    let keys: Vec<String> = (0..entries).map(|i| format!("key-{i}")).collect();
    for k in &keys {
        cache.put(k.clone(), "v".into());
    }
    per_second(time, |i| {
        black_box(cache.get(&keys[(i * 7919) % entries]));
    })
}

/// The cost of a scan: hits per second beside the naive `VecDeque` LRU's.
pub fn scan_table(who: Impl, mine: MakeLru, entries: &[usize], time: Duration) -> String {
    let mut out = format!(
        "LRU (04.5) beside the naive one, hits spread over the whole cache, lookups/s\n\
         {:>8} {:>12} {:>12} {:>7}\n",
        "entries",
        format!("{who:?}"),
        "naive",
        "/naive"
    );
    for &n in entries {
        let ours = lookups_per_second(mine, n, time);
        let naive = lookups_per_second(lru_cache::<ScanLru<String>, _>, n, time);
        out.push_str(&format!(
            "{n:>8} {ours:>12.0} {naive:>12.0} {:>7.0}\n",
            ours / naive
        ));
    }
    out
}

/// Popular keys asked for between two scans, out of [`POPULAR`].
const ROUND: usize = 50_000;
/// The keys the popular gets are drawn from.
const POPULAR: usize = 100_000;
/// One-off keys in each scan (a report, a crawler, a batch job).
const SCAN: usize = 10_000;

/// The trace: each round is [`ROUND`] gets of keys drawn from [`POPULAR`] by
/// Zipf's law with exponent 1 (the k-th most popular key is asked for 1/k as
/// often as the first), then a scan of [`SCAN`] keys never asked for again.
/// Seeded: every run, and both caches, see the same trace.
struct Trace {
    keys: Vec<String>,
    gets: Vec<usize>,
}

impl Trace {
    fn new(rounds: usize) -> Trace {
        let mut cdf: Vec<f64> = (1..=POPULAR).map(|k| 1.0 / k as f64).collect();
        let mut sum = 0.0;
        for p in &mut cdf {
            sum += *p;
            *p = sum;
        }
        let mut rng = SmallRng::seed_from_u64(4);
        let mut keys: Vec<String> = (0..POPULAR).map(|i| format!("item-{i}")).collect();
        let mut gets = Vec::with_capacity(rounds * (ROUND + SCAN));
        for _ in 0..rounds {
            for _ in 0..ROUND {
                let u = rng.random::<f64>() * sum;
                gets.push(cdf.partition_point(|&c| c < u).min(POPULAR - 1));
            }
            for _ in 0..SCAN {
                gets.push(keys.len());
                keys.push(format!("once-{}", keys.len()));
            }
        }
        Trace { keys, gets }
    }

    /// Runs the trace cache-aside (a get, and a put on a miss, as a service
    /// does): operations per second and the share of gets that hit.
    fn run(&self, mut get_or_put: impl FnMut(&String) -> bool) -> (f64, f64) {
        let started = Instant::now();
        let hits = self
            .gets
            .iter()
            .filter(|&&k| get_or_put(&self.keys[k]))
            .count();
        let n = self.gets.len() as f64;
        (n / started.elapsed().as_secs_f64(), hits as f64 / n)
    }
}

/// Speed and hit ratio beside moka's, on the same trace, at each size.
/// One cache size's hit ratios on the trace, ours and moka's, for the plot.
pub struct Hits {
    pub entries: usize,
    pub ours: f64,
    pub moka: f64,
}

pub fn trace_table(
    who: Impl,
    mine: MakeLru,
    entries: &[usize],
    rounds: usize,
) -> (String, Vec<Hits>) {
    let trace = Trace::new(rounds);
    let mut out = format!(
        "LRU (04.5) beside moka (TinyLFU), cache-aside (a get, a put on a miss) on one trace: {} \
         gets,\nZipf(1) over {POPULAR} keys, and a scan of {SCAN} one-off keys after every {ROUND}\n\
         {:>8} {:>13} {:>10} {:>6} {:>13} {:>9}\n",
        trace.gets.len(),
        "entries",
        format!("{who:?} op/s"),
        "moka op/s",
        "/moka",
        format!("{who:?} hits"),
        "moka hits"
    );
    let mut hits = Vec::new();
    for &n in entries {
        let mut cache = mine(n, TTL);
        let (ours, our_hits) = trace.run(|key| {
            let hit = cache.get(key).is_some();
            if !hit {
                cache.put(key.clone(), "v".into());
            }
            hit
        });
        let moka = moka::sync::Cache::builder()
            .max_capacity(n as u64)
            .time_to_live(TTL)
            .build();
        let (theirs, their_hits) = trace.run(|key| {
            let hit = moka.get(key).is_some();
            if !hit {
                moka.insert(key.clone(), "v".to_string());
            }
            hit
        });
        out.push_str(&format!(
            "{n:>8} {ours:>13.0} {theirs:>10.0} {:>6.2} {:>12.1}% {:>8.1}%\n",
            ours / theirs,
            our_hits * 100.0,
            their_hits * 100.0
        ));
        hits.push(Hits {
            entries: n,
            ours: our_hits * 100.0,
            moka: their_hits * 100.0,
        });
    }
    (out, hits)
}
