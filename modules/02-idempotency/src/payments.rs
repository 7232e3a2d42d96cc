//! Exercise 02.4: a payment made exactly once, however often the client
//! retries and wherever a request dies, with the idempotency key in
//! PostgreSQL next to the payment (migrations/0001_payments.sql).

use crate::gateway::{Gateway, GatewayError};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// What a client gets for a payment: the first time and on every retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Our payment's id.
    pub payment: i64,
    /// The gateway's charge id.
    pub charge: String,
    /// In cents.
    pub amount: i64,
}

impl Receipt {
    /// The receipt as the JSON text stored with its key.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a struct of numbers and strings serializes")
    }

    /// A stored receipt back; a damaged row is a decode error, not a panic.
    pub fn from_json(json: &str) -> sqlx::Result<Receipt> {
        serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }
}

/// Why a payment did not complete. After `InvalidAmount` and `KeyReused`
/// nothing was written; after `Gateway` and `Db` the client retries with the
/// same key, and the retry resumes where this one stopped.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("the amount must be positive (cents), got {0}")]
    InvalidAmount(i64),
    /// The key was used by this user before, with another amount.
    #[error("idempotency key {0} was used for another payment")]
    KeyReused(String),
    #[error("the gateway failed: {0}")]
    Gateway(#[from] GatewayError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// A payment service over PostgreSQL and the card network.
pub trait Payments: Send + Sync + 'static {
    fn new(pool: PgPool, gateway: Arc<Gateway>) -> Self;

    /// Charges `amount` cents for `user`, once per `(user, key)`: a retry with
    /// the same key and amount gets the same receipt and charges nothing.
    fn pay(
        &self,
        user: &str,
        key: &str,
        amount: i64,
    ) -> impl Future<Output = Result<Receipt, PayError>> + Send;

    /// Deletes the keys created more than `retention` ago, and says how many.
    /// The payments stay.
    fn reap(&self, retention: Duration) -> impl Future<Output = sqlx::Result<u64>> + Send;
}

/// What the database holds about one user's payments: the numbers the spec
/// and the demo check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReport {
    /// Payment rows for the user.
    pub payments: i64,
    /// Idempotency keys for the user.
    pub keys: i64,
    /// Of them, the keys that reached `finished`.
    pub finished: i64,
}

/// Reads [`PaymentReport`] for `user`.
pub async fn payment_report(pool: &PgPool, user: &str) -> sqlx::Result<PaymentReport> {
    let (payments, keys, finished): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM payments WHERE user_id = $1),
                (SELECT count(*) FROM idempotency_keys WHERE user_id = $1),
                (SELECT count(*) FROM idempotency_keys
                  WHERE user_id = $1 AND recovery_point = 'finished')",
    )
    .bind(user)
    .fetch_one(pool)
    .await?;
    Ok(PaymentReport {
        payments,
        keys,
        finished,
    })
}
