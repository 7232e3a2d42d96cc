//! 01.4 and 01.5: reservations that check, lock or write almost right.

use crate::inventory::{Inventory, ReserveError, is_lock_timeout};
use sqlx::{PgConnection, PgPool};

/// The order row, as every version writes it.
async fn insert_order(
    conn: &mut PgConnection,
    product: i64,
    buyer: &str,
    qty: i32,
) -> Result<i64, ReserveError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO orders (product_id, buyer, qty) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(product)
    .bind(buyer)
    .bind(qty)
    .fetch_one(conn)
    .await?)
}

/// Why a reservation that wrote nothing was refused.
async fn refusal(pool: &PgPool, product: i64) -> ReserveError {
    match sqlx::query_scalar("SELECT stock - reserved FROM products WHERE id = $1")
        .bind(product)
        .fetch_optional(pool)
        .await
    {
        Ok(Some(available)) => ReserveError::OutOfStock { available },
        Ok(None) => ReserveError::UnknownProduct(product),
        Err(e) => e.into(),
    }
}

/// `SELECT ... FOR UPDATE` in a transaction whose lock waits give up after
/// 200 ms (or never, without `lock_timeout`), then `enough` decides.
async fn reserve_locked(
    pool: &PgPool,
    product: i64,
    qty: i32,
    buyer: &str,
    lock_timeout: bool,
    enough: fn(i32, i32) -> bool,
) -> Result<i64, ReserveError> {
    if qty <= 0 {
        return Err(ReserveError::InvalidQuantity(qty));
    }
    let mut tx = pool.begin().await?;
    if lock_timeout {
        sqlx::query("SET LOCAL lock_timeout = '200ms'")
            .execute(&mut *tx)
            .await?;
    }
    let (stock, reserved): (i32, i32) =
        sqlx::query_as("SELECT stock, reserved FROM products WHERE id = $1 FOR UPDATE")
            .bind(product)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| {
                if is_lock_timeout(&e) {
                    ReserveError::Busy
                } else {
                    e.into()
                }
            })?
            .ok_or(ReserveError::UnknownProduct(product))?;
    if !enough(stock - reserved, qty) {
        return Err(ReserveError::OutOfStock {
            available: stock - reserved,
        });
    }
    sqlx::query("UPDATE products SET reserved = reserved + $2 WHERE id = $1")
        .bind(product)
        .bind(qty)
        .execute(&mut *tx)
        .await?;
    let order = insert_order(&mut tx, product, buyer, qty).await?;
    tx.commit().await?;
    Ok(order)
}

/// An `Inventory` on a pool, for the wrong versions below.
macro_rules! inventory {
    ($(#[$doc:meta])* $name:ident, |$pool:ident, $product:ident, $qty:ident, $buyer:ident| $reserve:expr) => {
        $(#[$doc])*
        pub struct $name {
            pool: PgPool,
        }

        impl $name {
            pub fn new(pool: PgPool) -> Self {
                $name { pool }
            }
        }

        impl Inventory for $name {
            async fn reserve(&self, $product: i64, $qty: i32, $buyer: &str) -> Result<i64, ReserveError> {
                let $pool = &self.pool;
                $reserve
            }
        }
    };
}

// ANCHOR: lock_outside_transaction
/// `FOR UPDATE`, but on the pool: each statement is its own transaction, so
/// the row lock is released the moment the SELECT returns. Every buyer then
/// reads the same stock, and writes a total computed from it.
async fn lock_outside_transaction(
    pool: &PgPool,
    product: i64,
    qty: i32,
    buyer: &str,
) -> Result<i64, ReserveError> {
    if qty <= 0 {
        return Err(ReserveError::InvalidQuantity(qty));
    }
    let (stock, reserved): (i32, i32) =
        sqlx::query_as("SELECT stock, reserved FROM products WHERE id = $1 FOR UPDATE")
            .bind(product)
            .fetch_optional(pool)
            .await?
            .ok_or(ReserveError::UnknownProduct(product))?;
    if stock - reserved < qty {
        return Err(ReserveError::OutOfStock {
            available: stock - reserved,
        });
    }
    sqlx::query("UPDATE products SET reserved = $2 WHERE id = $1")
        .bind(product)
        .bind(reserved + qty)
        .execute(pool)
        .await?;
    insert_order(&mut *pool.acquire().await?, product, buyer, qty).await
}
// ANCHOR_END: lock_outside_transaction
inventory!(LockOutsideTransaction, |pool, product, qty, buyer| {
    lock_outside_transaction(pool, product, qty, buyer).await
});

// ANCHOR: positive_check
/// The row lock is right; the check is not. "Is anything left?" instead of
/// "is enough left?": with 2 units left, an order of 3 goes through.
fn anything_left(available: i32, _qty: i32) -> bool {
    available > 0
}
// ANCHOR_END: positive_check
inventory!(PositiveCheck, |pool, product, qty, buyer| reserve_locked(
    pool,
    product,
    qty,
    buyer,
    true,
    anything_left
)
.await);

/// The right check.
fn enough(available: i32, qty: i32) -> bool {
    available >= qty
}

// ANCHOR: no_lock_timeout
inventory!(
    /// Right, but with no `lock_timeout`: while another transaction holds the
    /// row (a slow one, or one that hangs), every buyer waits for it for ever
    /// and the connection pool drains. No oversell, and no answer either.
    NoLockTimeout,
    |pool, product, qty, buyer| reserve_locked(pool, product, qty, buyer, /* lock_timeout: */ false, enough).await
);
// ANCHOR_END: no_lock_timeout

// ANCHOR: positive_guard
/// One conditional UPDATE, with the wrong condition: the row has some stock,
/// not enough for this order.
async fn positive_guard(
    pool: &PgPool,
    product: i64,
    qty: i32,
    buyer: &str,
) -> Result<i64, ReserveError> {
    if qty <= 0 {
        return Err(ReserveError::InvalidQuantity(qty));
    }
    let order: Option<i64> = sqlx::query_scalar(
        "WITH r AS (UPDATE products SET reserved = reserved + $2 WHERE id = $1 AND stock - reserved > 0 RETURNING id)
         INSERT INTO orders (product_id, buyer, qty) SELECT id, $3, $2 FROM r RETURNING id",
    )
    .bind(product)
    .bind(qty)
    .bind(buyer)
    .fetch_optional(pool)
    .await?;
    match order {
        Some(order) => Ok(order),
        None => Err(refusal(pool, product).await),
    }
}
// ANCHOR_END: positive_guard
inventory!(PositiveGuard, |pool, product, qty, buyer| positive_guard(
    pool, product, qty, buyer
)
.await);

// ANCHOR: guarded_stale_value
/// The guard is right and checked against the current row, but the new value
/// was computed from an earlier read: two buyers who read `reserved = 7` both
/// pass the guard and both write 8. Orders pile up while `reserved` lags.
async fn guarded_stale_value(
    pool: &PgPool,
    product: i64,
    qty: i32,
    buyer: &str,
) -> Result<i64, ReserveError> {
    if qty <= 0 {
        return Err(ReserveError::InvalidQuantity(qty));
    }
    let reserved: i32 = sqlx::query_scalar("SELECT reserved FROM products WHERE id = $1")
        .bind(product)
        .fetch_optional(pool)
        .await?
        .ok_or(ReserveError::UnknownProduct(product))?;
    let written =
        sqlx::query("UPDATE products SET reserved = $3 WHERE id = $1 AND stock - reserved >= $2")
            .bind(product)
            .bind(qty)
            .bind(reserved + qty)
            .execute(pool)
            .await?;
    if written.rows_affected() == 0 {
        return Err(refusal(pool, product).await);
    }
    insert_order(&mut *pool.acquire().await?, product, buyer, qty).await
}
// ANCHOR_END: guarded_stale_value
inventory!(GuardedStaleValue, |pool, product, qty, buyer| {
    guarded_stale_value(pool, product, qty, buyer).await
});
