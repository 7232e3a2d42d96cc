//! 05.1, naive: the breaker of the seeds' Go shop, translated.

use crate::breaker::{Breaker, BreakerConfig, Outcome, Permit, Rejected, State};
use std::sync::Mutex;
use tokio::time::Instant;

// ANCHOR: naive
/// Counts failures and opens at the limit; after the wait, half-open lets
/// everyone through until one call reports. The count is never reset by a
/// success, so occasional failures over a day open it; there is no rate, no
/// slow call; and when half-open, every caller waiting for the dependency
/// rushes in at once, which is exactly the load a recovering service cannot
/// take.
pub struct CountingBreaker {
    config: BreakerConfig,
    inner: Mutex<(State, u32, Instant)>,
}

impl Breaker for CountingBreaker {
    fn new(config: BreakerConfig) -> Self {
        CountingBreaker {
            config,
            inner: Mutex::new((State::Closed, 0, Instant::now())),
        }
    }

    fn acquire(&self) -> Result<Permit, Rejected> {
        let (state, _, last_failure) = &mut *self.inner.lock().unwrap();
        if *state == State::Open && last_failure.elapsed() >= self.config.open_wait {
            *state = State::HalfOpen;
        }
        match state {
            State::Open => Err(Rejected),
            _ => Ok(Permit {
                started: Instant::now(),
                epoch: 0,
            }),
        }
    }

    fn record(&self, _permit: Permit, outcome: Outcome) {
        let (state, failures, last_failure) = &mut *self.inner.lock().unwrap();
        match outcome {
            Outcome::Success if *state == State::HalfOpen => {
                *state = State::Closed;
                *failures = 0;
            }
            Outcome::Success => {}
            Outcome::Failure => {
                *failures += 1;
                *last_failure = Instant::now();
                if *failures >= self.config.consecutive_failures {
                    *state = State::Open;
                }
            }
        }
    }
    // ANCHOR_END: naive

    fn state(&self) -> State {
        let (state, _, last_failure) = &mut *self.inner.lock().unwrap();
        if *state == State::Open && last_failure.elapsed() >= self.config.open_wait {
            *state = State::HalfOpen;
        }
        *state
    }
}
