//! The token bucket beside the naive one and governor's keyed GCRA limiter:
//! decisions per second on one hot key and over 10,000 keys, from one thread
//! and from two at once (the course machine has two cores).

use crate::{Impl, per_second};
use governor::DefaultKeyedRateLimiter;
use racecourse_04::naive::token_bucket::RefillOnCheck;
use racecourse_04::spec::erased::rate_limiter;
use racecourse_04::{Quota, RateLimiter};
use std::hint::black_box;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Makes a token bucket, as `racecourse_04::spec::erased::rate_limiter` does.
pub type MakeBucket = fn(Quota) -> Arc<dyn RateLimiter>;

/// Each key may burst 100 requests and earns one more every 10 ms: the hot
/// key is refused most of the time, the 10,000 keys allowed.
const QUOTA: Quota = Quota {
    burst: 100,
    interval: Duration::from_millis(10),
};

/// A limiter the bench drives: the course's trait, or governor's.
trait Decide: Sync {
    #[expect(clippy::ptr_arg, reason = "governor's keys are the Strings themselves")]
    fn allows(&self, key: &String) -> bool;
}

impl Decide for Arc<dyn RateLimiter> {
    fn allows(&self, key: &String) -> bool {
        self.check(key).is_allowed()
    }
}

impl Decide for DefaultKeyedRateLimiter<String> {
    fn allows(&self, key: &String) -> bool {
        self.check_key(key).is_ok()
    }
}

/// governor with [`QUOTA`]: a cell every 10 ms, bursts of 100.
fn governor() -> DefaultKeyedRateLimiter<String> {
    let quota = governor::Quota::with_period(QUOTA.interval)
        .expect("a period above zero")
        .allow_burst(NonZeroU32::new(QUOTA.burst).expect("a burst above zero"));
    DefaultKeyedRateLimiter::keyed(quota)
}

/// Decisions per second of `limiter` from `threads` threads at once, each
/// going through `keys` from its own place, for about `time`.
fn decisions_per_second(
    limiter: &dyn Decide,
    keys: &[String],
    threads: usize,
    time: Duration,
) -> f64 {
    std::thread::scope(|s| {
        let each: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    per_second(time, |i| {
                        black_box(limiter.allows(&keys[(t * 7919 + i) % keys.len()]));
                    })
                })
            })
            .collect();
        each.into_iter()
            .map(|h| h.join().expect("a bench thread panicked"))
            .sum()
    })
}

/// The table: one row per key spread and number of threads.
pub fn table(who: Impl, mine: MakeBucket, time: Duration, smoke: bool) -> String {
    let mut out = format!(
        "Token bucket (04.1) beside governor (GCRA, keyed, dashmap), decisions/s\n\
         {:<10} {:>7} {:>12} {:>12} {:>12} {:>9} {:>9}\n",
        "keys",
        "threads",
        format!("{who:?}"),
        "naive",
        "governor",
        "/naive",
        "/governor"
    );
    let hot = vec!["client-hot".to_string()];
    let many: Vec<String> = (0..10_000).map(|i| format!("client-{i}")).collect();
    let spreads = [("1 (hot)", &hot), ("10,000", &many)];
    let threads: &[usize] = if smoke { &[1] } else { &[1, 2] };
    for &n in threads {
        for (label, keys) in spreads {
            let measure = |limiter: &dyn Decide| decisions_per_second(limiter, keys, n, time);
            let ours = measure(&mine(QUOTA));
            let naive = measure(&rate_limiter::<RefillOnCheck>(QUOTA));
            let crate_ = measure(&governor());
            out.push_str(&format!(
                "{label:<10} {n:>7} {ours:>12.0} {naive:>12.0} {crate_:>12.0} {:>9.2} {:>9.2}\n",
                ours / naive,
                ours / crate_
            ));
        }
    }
    out
}
