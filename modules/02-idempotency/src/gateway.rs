//! The card network, as exercise 02.4 and the demo see it: an outside service
//! that moves money, which no database transaction of ours can roll back.
//!
//! Like Stripe's API, it takes a reference with each charge and charges a
//! reference once: the same reference again returns the first charge. That is
//! what makes a payment exactly-once across a lost reply, as long as a retry
//! sends the same reference, which is the exercise's whole point. The spec
//! arms its faults: a reply lost after the money moved.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Why the gateway did not answer with a charge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The charge may or may not have happened: the reply never came.
    #[error("the gateway did not answer in time; the charge may have happened")]
    Timeout,
    /// The reference was charged before with another amount.
    #[error("reference {0} was charged before with another amount")]
    ReferenceReused(String),
}

/// One charge the gateway made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub id: String,
    pub reference: String,
    pub amount: i64,
}

/// An in-memory card network that counts what it charged.
#[derive(Default)]
pub struct Gateway {
    charges: Mutex<Vec<Charge>>,
    lose_next_reply: AtomicBool,
    latency: Duration,
}

impl Gateway {
    /// A gateway that answers after `latency`: long enough, in the spec, for
    /// duplicates to arrive while a charge is at work.
    pub fn new(latency: Duration) -> Gateway {
        Gateway {
            latency,
            ..Gateway::default()
        }
    }

    /// Charges `amount` cents once per `reference`, and returns the charge's
    /// id: the first charge's again if the reference was charged before.
    pub async fn charge(&self, reference: &str, amount: i64) -> Result<String, GatewayError> {
        tokio::time::sleep(self.latency).await;
        let id = {
            let mut charges = self.charges.lock().unwrap();
            match charges.iter().find(|c| c.reference == reference) {
                Some(c) if c.amount != amount => {
                    return Err(GatewayError::ReferenceReused(reference.to_string()));
                }
                Some(c) => c.id.clone(),
                None => {
                    let id = format!("ch_{}", charges.len() + 1);
                    charges.push(Charge {
                        id: id.clone(),
                        reference: reference.to_string(),
                        amount,
                    });
                    id
                }
            }
        };
        if self.lose_next_reply.swap(false, Ordering::SeqCst) {
            return Err(GatewayError::Timeout);
        }
        Ok(id)
    }

    /// Makes the next charge happen but its reply get lost, as when the
    /// network drops it or our process dies before reading it.
    pub fn lose_next_reply(&self) {
        self.lose_next_reply.store(true, Ordering::SeqCst);
    }

    /// Every charge made so far, in order.
    pub fn charges(&self) -> Vec<Charge> {
        self.charges.lock().unwrap().clone()
    }
}
