//! 05.4: payment clients that look resilient. Each has some of the three
//! defences right (a timeout per attempt, a retry of what a retry can fix,
//! the breaker asked before each attempt and told every outcome) and one
//! wrong.

use crate::breaker::{Breaker, Outcome};
use crate::gateway::{FakeGateway, GatewayError};
use crate::payments::{ChargeError, ClientConfig, PaymentClient};
use std::sync::Arc;
use tokio::time::{sleep, timeout};

/// What every client below holds.
pub struct Parts {
    gateway: Arc<FakeGateway>,
    breaker: Arc<dyn Breaker>,
    config: ClientConfig,
}

impl Parts {
    /// One attempt done right: ask the breaker, call with a timeout, report.
    async fn attempt(&self, order: &str, amount: i64) -> Result<String, ChargeError> {
        let permit = self
            .breaker
            .acquire()
            .map_err(|_| ChargeError::CircuitOpen)?;
        let call = self.gateway.charge(order, amount);
        let result = match timeout(self.config.attempt_timeout, call).await {
            Ok(answer) => answer.map_err(charge_error),
            Err(_) => Err(ChargeError::TimedOut),
        };
        let failed = matches!(
            result,
            Err(ChargeError::TimedOut | ChargeError::Unavailable)
        );
        let outcome = if failed {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        self.breaker.record(permit, outcome);
        result
    }

    /// The wait before retry `n` (from 0).
    fn backoff(&self, n: u32) -> std::time::Duration {
        self.config.backoff * (1 << n)
    }
}

fn charge_error(e: GatewayError) -> ChargeError {
    match e {
        GatewayError::Declined => ChargeError::Declined,
        GatewayError::Unavailable => ChargeError::Unavailable,
    }
}

fn retryable(result: &Result<String, ChargeError>) -> bool {
    matches!(
        result,
        Err(ChargeError::TimedOut | ChargeError::Unavailable)
    )
}

macro_rules! client {
    ($name:ident) => {
        impl $name {
            pub fn parts(
                gateway: Arc<FakeGateway>,
                breaker: Arc<dyn Breaker>,
                config: ClientConfig,
            ) -> Self {
                $name(Parts {
                    gateway,
                    breaker,
                    config,
                })
            }
        }
    };
}

// ANCHOR: no_breaker
/// A timeout per attempt and retries with backoff, but no breaker: while the
/// gateway hangs, every charge spends its three attempts on it, 1.8 s each,
/// and the gateway (already down) gets three times the traffic. Caught when
/// 200 charges during an outage make 600 calls, not 200.
pub struct NoBreaker(Parts);

impl PaymentClient for NoBreaker {
    async fn charge(&self, order: &str, amount: i64) -> Result<String, ChargeError> {
        let p = &self.0;
        let mut n = 0;
        loop {
            let call = p.gateway.charge(order, amount);
            let result = match timeout(p.config.attempt_timeout, call).await {
                Ok(answer) => answer.map_err(charge_error),
                Err(_) => Err(ChargeError::TimedOut),
            };
            n += 1;
            if !retryable(&result) || n == p.config.max_attempts {
                return result;
            }
            sleep(p.backoff(n - 1)).await;
        }
    }
    // ANCHOR_END: no_breaker

    fn new(gateway: Arc<FakeGateway>, breaker: Arc<dyn Breaker>, config: ClientConfig) -> Self {
        NoBreaker::parts(gateway, breaker, config)
    }
}
client!(NoBreaker);

// ANCHOR: timeouts_not_failures
/// Asks the breaker and reports 503s, but a timed-out attempt returns before
/// its outcome is reported: a gateway that hangs (the commonest outage: it
/// accepts connections and never answers) never opens the breaker. Caught
/// like no breaker at all: 600 calls to a hanging gateway.
pub struct TimeoutsNotFailures(Parts);

impl PaymentClient for TimeoutsNotFailures {
    async fn charge(&self, order: &str, amount: i64) -> Result<String, ChargeError> {
        let p = &self.0;
        let mut n = 0;
        loop {
            let permit = p.breaker.acquire().map_err(|_| ChargeError::CircuitOpen)?;
            let call = p.gateway.charge(order, amount);
            let result = match timeout(p.config.attempt_timeout, call).await {
                Ok(Ok(id)) => {
                    p.breaker.record(permit, Outcome::Success);
                    Ok(id)
                }
                Ok(Err(GatewayError::Declined)) => {
                    p.breaker.record(permit, Outcome::Success);
                    Err(ChargeError::Declined)
                }
                Ok(Err(GatewayError::Unavailable)) => {
                    p.breaker.record(permit, Outcome::Failure);
                    Err(ChargeError::Unavailable)
                }
                Err(_) => Err(ChargeError::TimedOut),
            };
            n += 1;
            if !retryable(&result) || n == p.config.max_attempts {
                return result;
            }
            sleep(p.backoff(n - 1)).await;
        }
    }
    // ANCHOR_END: timeouts_not_failures

    fn new(gateway: Arc<FakeGateway>, breaker: Arc<dyn Breaker>, config: ClientConfig) -> Self {
        TimeoutsNotFailures::parts(gateway, breaker, config)
    }
}
client!(TimeoutsNotFailures);

// ANCHOR: retries_declines
/// Breaker and timeout right, but every error is retried, a decline too: the
/// card is refused three times (three calls, 300 ms of backoff for the
/// customer, three declines on their statement) and never charged. Caught
/// when a decline makes more than one call.
pub struct RetriesDeclines(Parts);

impl PaymentClient for RetriesDeclines {
    async fn charge(&self, order: &str, amount: i64) -> Result<String, ChargeError> {
        let p = &self.0;
        let mut n = 0;
        loop {
            let result = p.attempt(order, amount).await;
            n += 1;
            let give_up = matches!(result, Ok(_) | Err(ChargeError::CircuitOpen));
            if give_up || n == p.config.max_attempts {
                return result;
            }
            sleep(p.backoff(n - 1)).await;
        }
    }
    // ANCHOR_END: retries_declines

    fn new(gateway: Arc<FakeGateway>, breaker: Arc<dyn Breaker>, config: ClientConfig) -> Self {
        RetriesDeclines::parts(gateway, breaker, config)
    }
}
client!(RetriesDeclines);

// ANCHOR: one_timeout
/// One timeout around the whole charge, the worst case, instead of one per
/// attempt: a hung first attempt takes the whole 1.8 s and leaves nothing
/// for the retry that would have succeeded in 50 ms, and its outcome is
/// never reported. Caught by one hung attempt followed by a healthy one.
pub struct OneTimeoutForAll(Parts);

impl PaymentClient for OneTimeoutForAll {
    async fn charge(&self, order: &str, amount: i64) -> Result<String, ChargeError> {
        let p = &self.0;
        let attempts = async {
            let mut n = 0;
            loop {
                let permit = p.breaker.acquire().map_err(|_| ChargeError::CircuitOpen)?;
                let result = p.gateway.charge(order, amount).await.map_err(charge_error);
                let outcome = match result {
                    Err(ChargeError::Unavailable) => Outcome::Failure,
                    _ => Outcome::Success,
                };
                p.breaker.record(permit, outcome);
                n += 1;
                if !retryable(&result) || n == p.config.max_attempts {
                    return result;
                }
                sleep(p.backoff(n - 1)).await;
            }
        };
        timeout(p.config.worst_case(), attempts)
            .await
            .unwrap_or(Err(ChargeError::TimedOut))
    }
    // ANCHOR_END: one_timeout

    fn new(gateway: Arc<FakeGateway>, breaker: Arc<dyn Breaker>, config: ClientConfig) -> Self {
        OneTimeoutForAll::parts(gateway, breaker, config)
    }
}
client!(OneTimeoutForAll);
