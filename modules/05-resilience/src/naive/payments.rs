//! 05.4, naive: call the gateway and wait for its answer.

use crate::breaker::Breaker;
use crate::gateway::{FakeGateway, GatewayError};
use crate::payments::{ChargeError, ClientConfig, PaymentClient};
use std::sync::Arc;

// ANCHOR: naive
/// One call, no timeout, no retry, no breaker. When the gateway hangs, every
/// charge waits with it: the shop's requests pile up, each holding a
/// connection and a task, until the gateway's own limit, or for ever.
pub struct DirectClient {
    gateway: Arc<FakeGateway>,
}

impl PaymentClient for DirectClient {
    fn new(gateway: Arc<FakeGateway>, _breaker: Arc<dyn Breaker>, _config: ClientConfig) -> Self {
        DirectClient { gateway }
    }

    async fn charge(&self, order: &str, amount: i64) -> Result<String, ChargeError> {
        self.gateway
            .charge(order, amount)
            .await
            .map_err(|e| match e {
                GatewayError::Declined => ChargeError::Declined,
                GatewayError::Unavailable => ChargeError::Unavailable,
            })
    }
}
// ANCHOR_END: naive
