//! 02.4: payments that look exactly-once. They share the right steps
//! ([`Steps`]: claim, lock, create the payment, charge and finish); each
//! walks them wrong in its own way.

use crate::gateway::Gateway;
use crate::naive::payments::{charge, insert_payment, reap_older_than};
use crate::payments::{PayError, Payments, Receipt};
use crate::think;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;
use std::time::Duration;

/// The key's row, as read under its lock.
#[derive(sqlx::FromRow)]
struct KeyRow {
    id: i64,
    amount: i64,
    recovery_point: String,
    payment_id: Option<i64>,
    response: Option<String>,
}

/// The pool, the gateway, and the steps the wrong fixes below get right.
struct Steps {
    pool: PgPool,
    gateway: Arc<Gateway>,
}

impl Steps {
    /// `INSERT ... ON CONFLICT DO NOTHING`: a duplicate waits, then finds the row.
    async fn claim(tx: &mut PgConnection, user: &str, key: &str, amount: i64) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, amount) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(user)
        .bind(key)
        .bind(amount)
        .execute(tx)
        .await?;
        Ok(())
    }

    /// Locks `(user, key)`'s row.
    async fn lock(tx: &mut PgConnection, user: &str, key: &str) -> sqlx::Result<KeyRow> {
        sqlx::query_as(
            "SELECT id, amount, recovery_point, payment_id, response FROM idempotency_keys
              WHERE user_id = $1 AND key = $2 FOR UPDATE",
        )
        .bind(user)
        .bind(key)
        .fetch_one(tx)
        .await
    }

    /// A payment row for the key, and the key moved to `payment_created`.
    async fn create_payment(
        tx: &mut PgConnection,
        row: &KeyRow,
        user: &str,
        amount: i64,
    ) -> sqlx::Result<i64> {
        let payment = insert_payment(&mut *tx, user, amount).await?;
        sqlx::query(
            "UPDATE idempotency_keys SET recovery_point = 'payment_created', payment_id = $2
              WHERE id = $1",
        )
        .bind(row.id)
        .bind(payment)
        .execute(tx)
        .await?;
        Ok(payment)
    }

    /// Charges `payment` and moves the key to `finished` with the receipt.
    async fn charge_and_finish(
        &self,
        tx: &mut PgConnection,
        row: &KeyRow,
        payment: i64,
        amount: i64,
    ) -> Result<Receipt, PayError> {
        let receipt = charge(&mut *tx, &self.gateway, payment, amount).await?;
        sqlx::query(
            "UPDATE idempotency_keys SET recovery_point = 'finished', response = $2 WHERE id = $1",
        )
        .bind(row.id)
        .bind(receipt.to_json())
        .execute(tx)
        .await?;
        Ok(receipt)
    }

    /// One step from where the locked `row` stands: the receipt when done,
    /// `None` when the step committed and the walk goes on.
    async fn step(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
        row: KeyRow,
        user: &str,
        amount: i64,
    ) -> Result<Option<Receipt>, PayError> {
        let receipt = match (row.recovery_point.as_str(), row.payment_id, &row.response) {
            ("finished", _, Some(json)) => Some(Receipt::from_json(json)?),
            ("payment_created", Some(payment), _) => Some(
                self.charge_and_finish(&mut tx, &row, payment, amount)
                    .await?,
            ),
            _ => {
                Steps::create_payment(&mut tx, &row, user, amount).await?;
                None
            }
        };
        tx.commit().await?;
        Ok(receipt)
    }

    /// The right walk; `compare: false` skips the fingerprint check.
    async fn walk(
        &self,
        user: &str,
        key: &str,
        amount: i64,
        compare: bool,
    ) -> Result<Receipt, PayError> {
        valid(amount)?;
        loop {
            let mut tx = self.pool.begin().await?;
            Steps::claim(&mut tx, user, key, amount).await?;
            let row = Steps::lock(&mut tx, user, key).await?;
            if compare && row.amount != amount {
                return Err(PayError::KeyReused(key.to_string()));
            }
            if let Some(receipt) = self.step(tx, row, user, amount).await? {
                return Ok(receipt);
            }
        }
    }

    /// The right reaper.
    async fn reap(&self, retention: Duration) -> sqlx::Result<u64> {
        reap_older_than(&self.pool, retention.as_secs_f64()).await
    }
}

fn valid(amount: i64) -> Result<(), PayError> {
    if amount <= 0 {
        return Err(PayError::InvalidAmount(amount));
    }
    Ok(())
}

/// Each wrong fix is a [`Steps`] with its own `attempt` (and, for the reaper's,
/// its own `reap`): this makes them [`Payments`].
macro_rules! payments_over_steps {
    ($($name:ident),*) => {$(
        pub struct $name(Steps);

        impl Payments for $name {
            fn new(pool: PgPool, gateway: Arc<Gateway>) -> Self {
                $name(Steps { pool, gateway })
            }
            fn pay(
                &self,
                user: &str,
                key: &str,
                amount: i64,
            ) -> impl Future<Output = Result<Receipt, PayError>> + Send {
                self.attempt(user, key, amount)
            }
            fn reap(&self, retention: Duration) -> impl Future<Output = sqlx::Result<u64>> + Send {
                self.reap_keys(retention)
            }
        }
    )*};
}

payments_over_steps!(
    CheckThenInsert,
    OneTransaction,
    StartOver,
    UnscopedKey,
    NoFingerprint,
    ReaperBackwards
);

/// The right reaper, for the wrong fixes that get the payment wrong.
macro_rules! right_reaper {
    ($($name:ident),*) => {$(
        impl $name {
            async fn reap_keys(&self, retention: Duration) -> sqlx::Result<u64> {
                self.0.reap(retention).await
            }
        }
    )*};
}

right_reaper!(
    CheckThenInsert,
    OneTransaction,
    StartOver,
    UnscopedKey,
    NoFingerprint
);

// ANCHOR: check_then_insert
/// Looks the key up, and inserts it when it was not there. Two duplicates
/// both find nothing; the second INSERT waits for the first to commit, then
/// fails on the unique key: that client gets an error, not the receipt.
impl CheckThenInsert {
    async fn attempt(&self, user: &str, key: &str, amount: i64) -> Result<Receipt, PayError> {
        valid(amount)?;
        loop {
            let mut tx = self.0.pool.begin().await?;
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(user)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            if found.is_none() {
                think().await;
                sqlx::query(
                    "INSERT INTO idempotency_keys (user_id, key, amount) VALUES ($1, $2, $3)",
                )
                .bind(user)
                .bind(key)
                .bind(amount)
                .execute(&mut *tx)
                .await?;
            }
            let row = Steps::lock(&mut tx, user, key).await?;
            if row.amount != amount {
                return Err(PayError::KeyReused(key.to_string()));
            }
            if let Some(receipt) = self.0.step(tx, row, user, amount).await? {
                return Ok(receipt);
            }
        }
    }
}
// ANCHOR_END: check_then_insert

// ANCHOR: one_transaction
/// Everything in one transaction: duplicates wait and replay, and nothing is
/// half done after a crash. But the gateway is not in the transaction: when
/// its reply is lost, or the process dies after it charged, the rollback
/// forgets the payment, and the retry makes a new one, with a new reference,
/// which the gateway charges again.
impl OneTransaction {
    async fn attempt(&self, user: &str, key: &str, amount: i64) -> Result<Receipt, PayError> {
        valid(amount)?;
        let mut tx = self.0.pool.begin().await?;
        Steps::claim(&mut tx, user, key, amount).await?;
        let row = Steps::lock(&mut tx, user, key).await?;
        if row.amount != amount {
            return Err(PayError::KeyReused(key.to_string()));
        }
        if let Some(json) = &row.response {
            return Ok(Receipt::from_json(json)?);
        }
        let payment = Steps::create_payment(&mut tx, &row, user, amount).await?;
        let receipt = self
            .0
            .charge_and_finish(&mut tx, &row, payment, amount)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }
}
// ANCHOR_END: one_transaction

// ANCHOR: start_over
/// Commits the recovery points but does not read them: a key that is not
/// finished is taken as never tried, and gets a payment of its own. A retry
/// after a crash past the charge, or a duplicate that gets the lock between
/// the first request's two steps, charges a second payment.
impl StartOver {
    async fn attempt(&self, user: &str, key: &str, amount: i64) -> Result<Receipt, PayError> {
        valid(amount)?;
        let mut tx = self.0.pool.begin().await?;
        Steps::claim(&mut tx, user, key, amount).await?;
        let row = Steps::lock(&mut tx, user, key).await?;
        if row.amount != amount {
            return Err(PayError::KeyReused(key.to_string()));
        }
        if let Some(json) = &row.response {
            return Ok(Receipt::from_json(json)?);
        }
        let payment = Steps::create_payment(&mut tx, &row, user, amount).await?;
        tx.commit().await?;
        let mut tx = self.0.pool.begin().await?;
        let row = Steps::lock(&mut tx, user, key).await?;
        if let Some(json) = &row.response {
            return Ok(Receipt::from_json(json)?);
        }
        let receipt = self
            .0
            .charge_and_finish(&mut tx, &row, payment, amount)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }
}
// ANCHOR_END: start_over

// ANCHOR: unscoped_key
/// Claims `(user, key)` but looks up by the key alone: bob, sending the key
/// ann used, locks ann's row and gets her payment, or a refusal.
impl UnscopedKey {
    async fn attempt(&self, user: &str, key: &str, amount: i64) -> Result<Receipt, PayError> {
        valid(amount)?;
        loop {
            let mut tx = self.0.pool.begin().await?;
            Steps::claim(&mut tx, user, key, amount).await?;
            let row: KeyRow = sqlx::query_as(
                "SELECT id, amount, recovery_point, payment_id, response FROM idempotency_keys
                  WHERE key = $1 ORDER BY id LIMIT 1 FOR UPDATE",
            )
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            if row.amount != amount {
                return Err(PayError::KeyReused(key.to_string()));
            }
            if let Some(receipt) = self.0.step(tx, row, user, amount).await? {
                return Ok(receipt);
            }
        }
    }
}
// ANCHOR_END: unscoped_key

// ANCHOR: no_fingerprint
/// Replays whatever the key holds: the same key sent with another amount
/// gets the first payment's receipt, and the client believes the second
/// amount was charged.
impl NoFingerprint {
    async fn attempt(&self, user: &str, key: &str, amount: i64) -> Result<Receipt, PayError> {
        self.0.walk(user, key, amount, false).await
    }
}
// ANCHOR_END: no_fingerprint

impl ReaperBackwards {
    async fn attempt(&self, user: &str, key: &str, amount: i64) -> Result<Receipt, PayError> {
        self.0.walk(user, key, amount, true).await
    }

    // ANCHOR: reaper_backwards
    /// Compares the wrong way round: deletes the keys younger than the
    /// retention, whose clients may still retry, and keeps the old ones.
    async fn reap_keys(&self, retention: Duration) -> sqlx::Result<u64> {
        let done = sqlx::query(
            "DELETE FROM idempotency_keys WHERE created_at > now() - make_interval(secs => $1)",
        )
        .bind(retention.as_secs_f64())
        .execute(&self.0.pool)
        .await?;
        Ok(done.rows_affected())
    }
    // ANCHOR_END: reaper_backwards
}
