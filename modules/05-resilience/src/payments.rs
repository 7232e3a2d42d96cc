//! Exercise 05.4: a resilient client for a flaky payment gateway. When the
//! gateway hangs, a client without a timeout holds every request that needs
//! it (a connection, a task, the user's page) until the gateway's own limit,
//! often a minute or more: requests pile up, and a slow dependency becomes an
//! outage of everything in front of it. The client below combines three
//! defences: a timeout per attempt, a retry of what a retry can fix, and a
//! circuit breaker that stops calling a gateway that keeps failing.

use crate::breaker::Breaker;
use crate::gateway::FakeGateway;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

// ANCHOR: config
/// The client's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientConfig {
    /// The longest one attempt may take.
    pub attempt_timeout: Duration,
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles before each next one.
    pub backoff: Duration,
}

impl ClientConfig {
    /// The longest a charge can take: every attempt timing out, every wait.
    pub fn worst_case(&self) -> Duration {
        let waits: u32 = (0..self.max_attempts.saturating_sub(1))
            .map(|n| 1 << n)
            .sum();
        self.attempt_timeout * self.max_attempts + self.backoff * waits
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            attempt_timeout: Duration::from_millis(500),
            max_attempts: 3,
            backoff: Duration::from_millis(100),
        }
    }
}
// ANCHOR_END: config

/// Why a charge failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeError {
    /// The card was declined (402): not retried, not a failure of the gateway.
    Declined,
    /// The gateway answered 503 on the last attempt.
    Unavailable,
    /// The last attempt did not answer within `attempt_timeout`.
    TimedOut,
    /// The breaker refused the attempt: no call was made.
    CircuitOpen,
}

impl fmt::Display for ChargeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChargeError::Declined => "the card was declined",
            ChargeError::Unavailable => "the payment gateway is unavailable",
            ChargeError::TimedOut => "the payment gateway did not answer in time",
            ChargeError::CircuitOpen => "the payment gateway is failing: not called",
        })
    }
}

impl std::error::Error for ChargeError {}

/// A payment client over one gateway and one breaker.
pub trait PaymentClient: Send + Sync + 'static {
    fn new(gateway: Arc<FakeGateway>, breaker: Arc<dyn Breaker>, config: ClientConfig) -> Self
    where
        Self: Sized;

    /// Charges `amount` for `order`: the gateway's charge id. Each attempt
    /// asks the breaker first (refused: `CircuitOpen`, at once), is cut off
    /// after `attempt_timeout` (`TimedOut`) and reports its outcome to the
    /// breaker: a 503 or a timeout is a failure, a charge or a decline a
    /// success (the gateway works). A 503 or a timeout is retried, up to
    /// `max_attempts`, after `backoff`, then twice that, and so on; a decline
    /// never. The whole charge never takes longer than
    /// [`ClientConfig::worst_case`].
    fn charge(
        &self,
        order: &str,
        amount: i64,
    ) -> impl Future<Output = Result<String, ChargeError>> + Send;
}
