//! # 01.4 Stock reservation with `SELECT ... FOR UPDATE`
//!
//! **The race.** Read the stock, check it, write the reservation: between the
//! read and the write, other buyers read the same "50 left", and every one of
//! them gets an order. 100 buyers, 50 units, 100 orders.
//!
//! **Your task.** Reserve in one transaction that locks the product's row
//! before reading it (`SELECT ... FOR UPDATE`), so buyers take turns, and that
//! gives up with `Busy` after `lock_timeout` instead of queueing for ever.
//!
//! **The spec checks** that 100 concurrent buyers of 50 units never get more
//! units than there are, five rounds over: one unit each in the first (exactly
//! 50 orders), 3, 6 or 9 units each in the others, with `reserved` always equal
//! to the units ordered; and that a reservation of a row another transaction
//! holds fails with `Busy` after its 200 ms lock timeout.
//!
//! Run `cargo xtask test 01.4`; stuck? `cargo xtask hint 01.4`. Needs PostgreSQL.

use racecourse_01::inventory::is_lock_timeout;
use racecourse_01::{Inventory, ReserveError};
use sqlx::PgPool;
use std::time::Duration;

/// Reserves with a row lock held for the whole check and write.
pub struct LockingInventory {
    pool: PgPool,
    lock_timeout: Duration,
}

impl LockingInventory {
    /// With a lock timeout of 2 s.
    pub fn new(pool: PgPool) -> Self {
        Self::with_lock_timeout(pool, Duration::from_secs(2))
    }

    pub fn with_lock_timeout(pool: PgPool, lock_timeout: Duration) -> Self {
        LockingInventory { pool, lock_timeout }
    }
}

impl Inventory for LockingInventory {
    // ANCHOR: reserve
    async fn reserve(&self, product: i64, qty: i32, buyer: &str) -> Result<i64, ReserveError> {
        if qty <= 0 {
            return Err(ReserveError::InvalidQuantity(qty));
        }
        let mut tx = self.pool.begin().await?;
        // SET takes no bind parameters; the number is ours, not the client's.
        let timeout = format!(
            "SET LOCAL lock_timeout = '{}ms'",
            self.lock_timeout.as_millis()
        );
        sqlx::query(sqlx::AssertSqlSafe(timeout))
            .execute(&mut *tx)
            .await?;

        // Everyone else's FOR UPDATE on this row now waits for our COMMIT.
        let row: Option<(i32, i32)> =
            sqlx::query_as("SELECT stock, reserved FROM products WHERE id = $1 FOR UPDATE")
                .bind(product)
                .fetch_optional(&mut *tx)
                .await
                .map_err(busy_or_db)?;
        let (stock, reserved) = row.ok_or(ReserveError::UnknownProduct(product))?;
        if stock - reserved < qty {
            return Err(ReserveError::OutOfStock {
                available: stock - reserved,
            });
        }
        sqlx::query("UPDATE products SET reserved = reserved + $2 WHERE id = $1")
            .bind(product)
            .bind(qty)
            .execute(&mut *tx)
            .await?;
        let order = sqlx::query_scalar(
            "INSERT INTO orders (product_id, buyer, qty) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(product)
        .bind(buyer)
        .bind(qty)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(order)
    }
    // ANCHOR_END: reserve
}

fn busy_or_db(e: sqlx::Error) -> ReserveError {
    if is_lock_timeout(&e) {
        ReserveError::Busy
    } else {
        ReserveError::Db(e)
    }
}
