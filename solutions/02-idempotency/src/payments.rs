//! 02.4: a payment made exactly once, with its idempotency key in PostgreSQL.
//!
//! Each request walks the key's recovery points (migrations/0001_payments.sql),
//! one transaction per step, each holding the key's row lock:
//!
//! 1. claim the key (`INSERT ... ON CONFLICT DO NOTHING`), lock its row, and
//!    read where it stands;
//! 2. at `started`: create the payment row, which fixes the reference the
//!    gateway is charged with, and move to `payment_created`;
//! 3. at `payment_created`: charge the gateway with that reference, store the
//!    receipt, move to `finished`;
//! 4. at `finished`: answer the stored receipt.
//!
//! A duplicate waits on the row lock and then reads `finished`; a retry of a
//! request that died resumes at the last point committed, and charges the
//! gateway with the same reference, which the gateway charges once.

use racecourse_02::gateway::Gateway;
use racecourse_02::payments::{PayError, Payments, Receipt};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::time::Duration;

pub struct PgPayments {
    pool: PgPool,
    gateway: Arc<Gateway>,
}

/// The key's row, as a step reads it under its lock.
#[derive(sqlx::FromRow)]
struct KeyRow {
    id: i64,
    amount: i64,
    recovery_point: String,
    payment_id: Option<i64>,
    response: Option<String>,
}

// ANCHOR: pay
impl Payments for PgPayments {
    fn new(pool: PgPool, gateway: Arc<Gateway>) -> Self {
        PgPayments { pool, gateway }
    }

    async fn pay(&self, user: &str, key: &str, amount: i64) -> Result<Receipt, PayError> {
        if amount <= 0 {
            return Err(PayError::InvalidAmount(amount));
        }
        loop {
            let mut tx = self.pool.begin().await?;
            let row = lock_key(&mut tx, user, key, amount).await?;
            if row.amount != amount {
                return Err(PayError::KeyReused(key.to_string()));
            }
            match (row.recovery_point.as_str(), row.payment_id, row.response) {
                ("finished", _, Some(receipt)) => return Ok(Receipt::from_json(&receipt)?),
                ("payment_created", Some(payment), _) => {
                    let receipt = self.charge(&mut tx, row.id, payment, amount).await?;
                    tx.commit().await?;
                    return Ok(receipt);
                }
                _ => {
                    create_payment(&mut tx, row.id, user, amount).await?;
                    tx.commit().await?;
                }
            }
        }
    }

    async fn reap(&self, retention: Duration) -> sqlx::Result<u64> {
        let done = sqlx::query(
            "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)",
        )
        .bind(retention.as_secs_f64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

// ANCHOR_END: pay
// ANCHOR: charge
impl PgPayments {
    /// The step from `payment_created` to `finished`: the gateway call, with
    /// the payment's own reference, and the receipt stored with the key.
    async fn charge(
        &self,
        tx: &mut PgConnection,
        key_id: i64,
        payment: i64,
        amount: i64,
    ) -> Result<Receipt, PayError> {
        let charge = self
            .gateway
            .charge(&format!("pay_{payment}"), amount)
            .await?;
        sqlx::query("UPDATE payments SET charge = $2 WHERE id = $1")
            .bind(payment)
            .bind(&charge)
            .execute(&mut *tx)
            .await?;
        let receipt = Receipt {
            payment,
            charge,
            amount,
        };
        sqlx::query(
            "UPDATE idempotency_keys SET recovery_point = 'finished', response = $2 WHERE id = $1",
        )
        .bind(key_id)
        .bind(receipt.to_json())
        .execute(&mut *tx)
        .await?;
        Ok(receipt)
    }
}

// ANCHOR_END: charge
// ANCHOR: claim
/// Claims `(user, key)` if nobody has, then locks its row. A duplicate's
/// INSERT waits here until the claim commits, and its SELECT until the step
/// at work on the key commits.
async fn lock_key(
    tx: &mut PgConnection,
    user: &str,
    key: &str,
    amount: i64,
) -> sqlx::Result<KeyRow> {
    sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, amount) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind(user)
    .bind(key)
    .bind(amount)
    .execute(&mut *tx)
    .await?;
    sqlx::query_as(
        "SELECT id, amount, recovery_point, payment_id, response FROM idempotency_keys
          WHERE user_id = $1 AND key = $2 FOR UPDATE",
    )
    .bind(user)
    .bind(key)
    .fetch_one(&mut *tx)
    .await
}

// ANCHOR_END: claim
// ANCHOR: create_payment
/// The step from `started` to `payment_created`.
async fn create_payment(
    tx: &mut PgConnection,
    key_id: i64,
    user: &str,
    amount: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH p AS (INSERT INTO payments (user_id, amount) VALUES ($2, $3) RETURNING id)
         UPDATE idempotency_keys SET recovery_point = 'payment_created', payment_id = p.id
           FROM p WHERE idempotency_keys.id = $1",
    )
    .bind(key_id)
    .bind(user)
    .bind(amount)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

// ANCHOR_END: create_payment
