//! # 04.1 Token bucket (in memory)
//!
//! **The flaw.** A limiter that refills "one token per interval since the last
//! check" and then stamps the check's time loses the part of an interval
//! already earned: a client that checks often never gets a token back. One
//! that does not cap the refill lets a quiet client save up a flood. And a map
//! of every key ever seen grows without end.
//!
//! **Your task.** Per key, keep what you need to know how full its bucket is
//! (a token count and the time the next token started accruing, or, simpler,
//! GCRA's one "theoretical arrival time"). `check` refills whole tokens
//! without losing the remainder, caps at the burst, spends one or says how
//! long until the next. Forget keys whose bucket is full again.
//!
//! **The spec checks**, on tokio's paused clock, an exact sequence of
//! decisions (remaining counts and waits to the millisecond), the cap after a
//! long idle, that keys are independent, that 10,000 idle keys are forgotten
//! and a drained key is not, and 400 tasks at once on one key.
//!
//! Run `cargo xtask test 04.1`; stuck? `cargo xtask hint 04.1`.

use racecourse_04::{Decision, Quota, RateLimiter};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: state
/// GCRA (the generic cell rate algorithm), the token bucket told with one
/// number per key: its "theoretical arrival time", when the bucket would be
/// full again. Each allowed request pushes it one interval later; a request
/// is refused if that would put it more than a full bucket (`burst` intervals)
/// ahead of now.
pub struct TokenBucket {
    quota: Quota,
    state: Mutex<State>,
}

struct State {
    full_at: HashMap<String, Instant>,
    last_sweep: Instant,
}
// ANCHOR_END: state

impl RateLimiter for TokenBucket {
    fn new(quota: Quota) -> Self {
        TokenBucket {
            quota,
            state: Mutex::new(State {
                full_at: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    // ANCHOR: check
    fn check(&self, key: &str) -> Decision {
        let now = Instant::now();
        let interval = self.quota.interval.max(Duration::from_nanos(1));
        let full = self.quota.full_after();
        let mut state = self.state.lock().unwrap();
        if now - state.last_sweep >= full {
            // A key whose bucket is full again is the same as a new key.
            state.full_at.retain(|_, full_at| *full_at > now);
            state.last_sweep = now;
        }
        let full_at = state.full_at.get(key).map_or(now, |t| (*t).max(now));
        let ahead = full_at + interval - now;
        if ahead > full {
            return Decision::Denied {
                retry_after: ahead - full,
            };
        }
        state.full_at.insert(key.to_string(), now + ahead);
        let remaining = (full - ahead).as_nanos() / interval.as_nanos();
        Decision::Allowed {
            remaining: remaining as u32,
        }
    }
    // ANCHOR_END: check

    fn tracked_keys(&self) -> usize {
        self.state.lock().unwrap().full_at.len()
    }
}
