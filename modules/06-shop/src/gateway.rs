//! The payment gateway of 06.1: a small, deterministic, flaky fake (module 05
//! has a richer one; this one needs nothing outside module 06).
//!
//! - It charges an idempotency key once: the same key again returns the first
//!   charge, as Stripe's API does. A retry with the same key is safe.
//! - It loses the reply of every fifth new key: the money moved, the caller
//!   sees [`GatewayError::Timeout`]. Only a retry with the same key finds out.
//! - It declines every buyer whose name starts with `broke`.
//! - It is a witness: given a pool, it looks the order up on its own
//!   connection before charging. An order that is not there, committed, in
//!   state `reserved`, means the checkout holds a transaction across this
//!   call (or charges an order it never reserved); the gateway writes that
//!   down in [`Gateway::violations`].

use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Why the gateway did not answer with a charge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The card was refused: nothing was charged.
    #[error("the card was declined")]
    Declined,
    /// The reply never came: the charge may have happened.
    #[error("the gateway did not answer in time; the charge may have happened")]
    Timeout,
}

/// One charge the gateway made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub id: String,
    pub order: i64,
    pub key: String,
    pub amount: i64,
}

#[derive(Default)]
struct Ledger {
    charges: Vec<Charge>,
    by_key: HashMap<String, usize>,
    violations: Vec<String>,
}

/// The fake card network.
pub struct Gateway {
    witness: Option<PgPool>,
    latency: Duration,
    lose_every: usize,
    ledger: Mutex<Ledger>,
}

/// A reply lost every this many new keys.
pub const LOSE_EVERY: usize = 5;

impl Gateway {
    /// A gateway that answers after `latency` and loses every fifth new
    /// key's reply. With a `witness` pool it checks each order before
    /// charging it.
    pub fn new(witness: Option<PgPool>, latency: Duration) -> Gateway {
        Gateway {
            witness,
            latency,
            lose_every: LOSE_EVERY,
            ledger: Mutex::new(Ledger::default()),
        }
    }

    /// Charges `amount` for `order` once per `key`; the same key again
    /// returns the first charge's id.
    pub async fn charge(
        &self,
        order: i64,
        key: &str,
        buyer: &str,
        amount: i64,
    ) -> Result<String, GatewayError> {
        if let Some(pool) = &self.witness {
            self.witness_order(pool, order).await;
        }
        tokio::time::sleep(self.latency).await;
        if buyer.starts_with("broke") {
            return Err(GatewayError::Declined);
        }
        let mut ledger = self.ledger.lock().unwrap();
        if let Some(&i) = ledger.by_key.get(key) {
            return Ok(ledger.charges[i].id.clone());
        }
        let id = format!("ch_{}", ledger.charges.len() + 1);
        let n = ledger.by_key.len() + 1;
        let index = ledger.charges.len();
        ledger.by_key.insert(key.to_string(), index);
        ledger.charges.push(Charge {
            id: id.clone(),
            order,
            key: key.to_string(),
            amount,
        });
        if n.is_multiple_of(self.lose_every) {
            return Err(GatewayError::Timeout);
        }
        Ok(id)
    }

    async fn witness_order(&self, pool: &PgPool, order: i64) {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM orders WHERE id = $1")
            .bind(order)
            .fetch_optional(pool)
            .await
            .unwrap_or_else(|e| Some(format!("unreadable: {e}")));
        let seen = match state.as_deref() {
            Some("reserved") => return,
            Some(other) => format!("in state {other}"),
            None => "not there (not committed yet?)".to_string(),
        };
        self.ledger.lock().unwrap().violations.push(format!(
            "order {order} was {seen} when the gateway was called: commit the reservation \
             and the order before the payment call, and hold no transaction across it"
        ));
    }

    /// Every charge made so far, in order.
    pub fn charges(&self) -> Vec<Charge> {
        self.ledger.lock().unwrap().charges.clone()
    }

    /// What the witness saw wrong, in order.
    pub fn violations(&self) -> Vec<String> {
        self.ledger.lock().unwrap().violations.clone()
    }
}

/// The idempotency key of the payment for `order`: the same on every attempt.
pub fn payment_key(order: i64) -> String {
    format!("order-{order}")
}
