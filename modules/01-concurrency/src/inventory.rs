//! Exercises 01.4 and 01.5: reserving stock in PostgreSQL so that many buyers at
//! once never get more units than there are.

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::future::Future;

/// Why a reservation did not happen. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error("the quantity must be positive, got {0}")]
    InvalidQuantity(i32),
    #[error("no product {0}")]
    UnknownProduct(i64),
    #[error("only {available} left")]
    OutOfStock { available: i32 },
    /// The product's row stayed locked longer than the lock timeout: the caller
    /// may retry later (HTTP 503 with Retry-After).
    #[error("the product is busy, try again")]
    Busy,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// Reserves stock and records the order.
pub trait Inventory: Send + Sync + 'static {
    /// Reserves `qty` units of `product` for `buyer` and records an order for
    /// them, in one transaction. Returns the order's id.
    fn reserve(
        &self,
        product: i64,
        qty: i32,
        buyer: &str,
    ) -> impl Future<Output = Result<i64, ReserveError>> + Send;
}

/// True when `error` is PostgreSQL giving up on a lock wait (SQLSTATE 55P03,
/// `lock_not_available`), which is what `lock_timeout` raises.
pub fn is_lock_timeout(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "55P03")
}

/// A new product with `stock` units and nothing reserved; returns its id.
pub async fn create_product(pool: &PgPool, name: &str, stock: i32) -> sqlx::Result<i64> {
    sqlx::query_scalar("INSERT INTO products (name, stock) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(stock)
        .fetch_one(pool)
        .await
}

/// What the database says about a product: the numbers the invariant is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReport {
    pub stock: i32,
    pub reserved: i32,
    /// Orders recorded for the product.
    pub orders: i64,
    /// Units in those orders.
    pub units_ordered: i64,
}

impl StockReport {
    /// Units promised to buyers beyond the stock.
    pub fn oversold(&self) -> i64 {
        (self.units_ordered - i64::from(self.stock)).max(0)
    }
}

/// Reads a product's numbers, `None` if there is no such product.
pub async fn stock_report(pool: &PgPool, product: i64) -> sqlx::Result<Option<StockReport>> {
    let row: Option<(i32, i32, i64, i64)> = sqlx::query_as(
        "SELECT p.stock, p.reserved, count(o.id), coalesce(sum(o.qty), 0)::BIGINT
           FROM products p LEFT JOIN orders o ON o.product_id = p.id
          WHERE p.id = $1
          GROUP BY p.id",
    )
    .bind(product)
    .fetch_optional(pool)
    .await?;
    Ok(
        row.map(|(stock, reserved, orders, units_ordered)| StockReport {
            stock,
            reserved,
            orders,
            units_ordered,
        }),
    )
}
