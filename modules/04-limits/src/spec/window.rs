//! Spec of 04.2, on tokio's paused clock: the same traffic against the fixed
//! window and the sliding window, so the difference shows in exact counts.

use crate::window::WindowLimiter;
use racecourse_kit::i18n::t;
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::advance;

/// Makes an empty limiter of `limit` per `window`.
pub type MakeWindow = fn(u32, Duration) -> Arc<dyn WindowLimiter>;

/// The checks of 04.2, for the fixed window and the sliding window.
pub fn checks(fixed: MakeWindow, sliding: MakeWindow) -> Vec<Check> {
    vec![
        Check::new(
            "fixed_window_counts_per_window",
            Runtime::PausedClock,
            fixed_window_counts_per_window(fixed),
        ),
        Check::new(
            "fixed_window_lets_twice_the_limit_across_an_edge",
            Runtime::PausedClock,
            fixed_window_lets_twice_the_limit_across_an_edge(fixed),
        ),
        Check::new(
            "sliding_window_holds_the_limit_across_an_edge",
            Runtime::PausedClock,
            sliding_window_holds_the_limit_across_an_edge(sliding),
        ),
        Check::new(
            "sliding_window_does_not_count_refusals",
            Runtime::PausedClock,
            sliding_window_does_not_count_refusals(sliding),
        ),
    ]
}

const LIMIT: u32 = 5;
const WINDOW: Duration = Duration::from_secs(1);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Sends `n` requests for `key` now; how many were allowed.
fn burst(limiter: &dyn WindowLimiter, key: &str, n: usize) -> usize {
    (0..n).filter(|_| limiter.check(key)).count()
}

/// 5 per window, counted from zero again at each boundary (the first window
/// starts when the limiter is made), per key.
pub async fn fixed_window_counts_per_window(make: MakeWindow) {
    let l = make(LIMIT, WINDOW);
    let n = burst(&*l, "k", 8);
    assert!(n == 5, "{}", t!("spec-04-2-fixed-burst", allowed = n));
    advance(ms(999)).await;
    assert!(!l.check("k"), "{}", t!("spec-04-2-fixed-still-full"));
    advance(ms(1)).await;
    let n = burst(&*l, "k", 8);
    assert!(n == 5, "{}", t!("spec-04-2-fixed-new-window", allowed = n));
    let n = burst(&*l, "other", 8);
    assert!(n == 5, "{}", t!("spec-04-2-fixed-other-key", allowed = n));
}

/// The fixed window's known flaw, shown: 5 at 990 ms and 5 at 1010 ms are
/// all allowed, twice the limit in 20 ms.
pub async fn fixed_window_lets_twice_the_limit_across_an_edge(make: MakeWindow) {
    let l = make(LIMIT, WINDOW);
    advance(ms(990)).await;
    let before = burst(&*l, "k", 8);
    advance(ms(20)).await;
    let after = burst(&*l, "k", 8);
    assert!(
        before == 5 && after == 5,
        "{}",
        t!("spec-04-2-fixed-edge", before = before, after = after)
    );
}

/// The same traffic against the sliding window: at 1010 ms the 5 allowed at
/// 990 ms are still within the last second, so none more is; a second after
/// them, 5 are allowed again.
pub async fn sliding_window_holds_the_limit_across_an_edge(make: MakeWindow) {
    let l = make(LIMIT, WINDOW);
    advance(ms(990)).await;
    let before = burst(&*l, "k", 8);
    assert!(
        before == 5,
        "{}",
        t!("spec-04-2-sliding-burst", allowed = before)
    );
    advance(ms(20)).await;
    let after = burst(&*l, "k", 8);
    assert!(
        after == 0,
        "{}",
        t!(
            "spec-04-2-sliding-edge",
            allowed = after,
            through = 5 + after
        )
    );
    advance(ms(1000)).await;
    let later = burst(&*l, "k", 8);
    assert!(
        later == 5,
        "{}",
        t!("spec-04-2-sliding-later", allowed = later)
    );
}

/// A client that keeps knocking after its limit is refused each time, but its
/// refused requests must not count: once its allowed ones are a window old,
/// it gets through again.
pub async fn sliding_window_does_not_count_refusals(make: MakeWindow) {
    let l = make(LIMIT, WINDOW);
    burst(&*l, "k", 5);
    let mut allowed_later = 0;
    for step in 1..=20 {
        advance(ms(100)).await;
        if l.check("k") && step >= 10 {
            allowed_later += 1;
        }
    }
    assert!(
        allowed_later >= 3,
        "{}",
        t!("spec-04-2-refusals", allowed = allowed_later)
    );
}
