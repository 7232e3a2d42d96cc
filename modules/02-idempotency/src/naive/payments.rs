//! 02.4, naive: a payment per request. The client's retry, after a timeout
//! or a dropped connection, is a second payment: charged again.

use crate::gateway::Gateway;
use crate::payments::{PayError, Payments, Receipt};
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::time::Duration;

pub struct NoKeyPayments {
    pool: PgPool,
    gateway: Arc<Gateway>,
}

// ANCHOR: naive
impl Payments for NoKeyPayments {
    fn new(pool: PgPool, gateway: Arc<Gateway>) -> Self {
        NoKeyPayments { pool, gateway }
    }

    async fn pay(&self, user: &str, _key: &str, amount: i64) -> Result<Receipt, PayError> {
        if amount <= 0 {
            return Err(PayError::InvalidAmount(amount));
        }
        let mut conn = self.pool.acquire().await?;
        let payment = insert_payment(&mut conn, user, amount).await?;
        charge(&mut conn, &self.gateway, payment, amount).await
    }

    async fn reap(&self, retention: Duration) -> sqlx::Result<u64> {
        reap_older_than(&self.pool, retention.as_secs_f64()).await
    }
}

// ANCHOR_END: naive
/// A new payment row; its id is the gateway reference.
pub(crate) async fn insert_payment(
    conn: &mut PgConnection,
    user: &str,
    amount: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("INSERT INTO payments (user_id, amount) VALUES ($1, $2) RETURNING id")
        .bind(user)
        .bind(amount)
        .fetch_one(conn)
        .await
}

/// Charges payment `payment` at the gateway with its own reference and
/// records the charge on the payment.
pub(crate) async fn charge(
    conn: &mut PgConnection,
    gateway: &Gateway,
    payment: i64,
    amount: i64,
) -> Result<Receipt, PayError> {
    let charge = gateway.charge(&format!("pay_{payment}"), amount).await?;
    sqlx::query("UPDATE payments SET charge = $2 WHERE id = $1")
        .bind(payment)
        .bind(&charge)
        .execute(conn)
        .await?;
    Ok(Receipt {
        payment,
        charge,
        amount,
    })
}

/// Deletes the keys older than `seconds`.
pub(crate) async fn reap_older_than(pool: &PgPool, seconds: f64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)",
    )
    .bind(seconds)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
