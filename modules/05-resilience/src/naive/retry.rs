//! 05.2, naive: retry whatever failed, after a fixed pause.

use crate::retry::{Attempt, Call, Retry, RetryPolicy};

// ANCHOR: naive
/// Retries anything that is not a 2xx, after the same `base` pause each time,
/// up to `max_attempts`. Every client that saw the same failure retries at
/// the same moment (no jitter), a 400 is sent again as if it might pass, a
/// `Retry-After` is ignored, and nothing limits the retries: a failing server
/// gets `max_attempts` times its normal load.
pub struct FixedRetry {
    policy: RetryPolicy,
}

impl Retry for FixedRetry {
    fn new(policy: RetryPolicy, _seed: u64) -> Self {
        FixedRetry { policy }
    }

    async fn call(&self, call: Call<'_>) -> Attempt {
        let mut attempts = 1;
        loop {
            let attempt = call().await;
            let ok = matches!(attempt, Attempt::Answer { status, .. } if status < 300);
            if ok || attempts == self.policy.max_attempts {
                return attempt;
            }
            attempts += 1;
            tokio::time::sleep(self.policy.base).await;
        }
    }
}
// ANCHOR_END: naive
