//! # 05.4 A resilient payment client
//!
//! **The failure.** The payment gateway hangs. Every checkout waits on it,
//! each holding a connection and a task, for as long as the gateway takes:
//! the shop's requests pile up and the shop goes down with its provider.
//!
//! **Your task.** `charge` combines three defences. Per attempt: ask the
//! breaker (refused: `CircuitOpen`, at once, no call); call the gateway under
//! `tokio::time::timeout(config.attempt_timeout, ...)`; tell the breaker the
//! outcome (a 503 or a timeout is a failure; a charge or a decline a
//! success: the gateway worked). Retry a 503 or a timeout, up to
//! `max_attempts`, after `backoff`, then twice that; never a decline. The
//! gateway deduplicates by order, so a retry never charges twice.
//!
//! **The spec checks**, on tokio's paused clock, against a fake gateway with
//! switches: a charge and a decline make one call each, and declines leave the
//! breaker closed; a 503 or a hung attempt is retried and the charge succeeds
//! within the exact time; while the gateway hangs, 200 charges at once make
//! 200 calls, not 600, and the next 1000 fail in 0 ms without a call; when it
//! is back, charges go through after the open wait.
//!
//! Run `cargo xtask test 05.4`; stuck? `cargo xtask hint 05.4`.

use racecourse_05::{Breaker, ChargeError, ClientConfig, FakeGateway, PaymentClient};
use std::sync::Arc;

/// A client over one gateway, guarded by one breaker.
pub struct ResilientClient {
    gateway: Arc<FakeGateway>,
    breaker: Arc<dyn Breaker>,
    config: ClientConfig,
}

impl PaymentClient for ResilientClient {
    fn new(gateway: Arc<FakeGateway>, breaker: Arc<dyn Breaker>, config: ClientConfig) -> Self {
        ResilientClient {
            gateway,
            breaker,
            config,
        }
    }

    async fn charge(&self, order: &str, amount: i64) -> Result<String, ChargeError> {
        let _ = (&self.gateway, &self.breaker, &self.config);
        todo!(
            "05.4 exercises/05-resilience/src/payments.rs: ResilientClient::charge({order}, {amount})"
        )
    }
}
