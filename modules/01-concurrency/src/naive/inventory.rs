//! Read, then update: the check and the write are separate statements with no
//! lock between them, so every buyer who read "50 left" gets an order.

use crate::inventory::{Inventory, ReserveError};
use sqlx::PgPool;

pub struct ReadThenUpdate {
    pool: PgPool,
}

impl ReadThenUpdate {
    pub fn new(pool: PgPool) -> Self {
        ReadThenUpdate { pool }
    }
}

impl Inventory for ReadThenUpdate {
    async fn reserve(&self, product: i64, qty: i32, buyer: &str) -> Result<i64, ReserveError> {
        if qty <= 0 {
            return Err(ReserveError::InvalidQuantity(qty));
        }
        let (stock, reserved): (i32, i32) =
            sqlx::query_as("SELECT stock, reserved FROM products WHERE id = $1")
                .bind(product)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(ReserveError::UnknownProduct(product))?;
        if stock - reserved < qty {
            return Err(ReserveError::OutOfStock {
                available: stock - reserved,
            });
        }
        // Another buyer may have reserved since the SELECT: this overwrites it.
        sqlx::query("UPDATE products SET reserved = $2 WHERE id = $1")
            .bind(product)
            .bind(reserved + qty)
            .execute(&self.pool)
            .await?;
        let order = sqlx::query_scalar(
            "INSERT INTO orders (product_id, buyer, qty) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(product)
        .bind(buyer)
        .bind(qty)
        .fetch_one(&self.pool)
        .await?;
        Ok(order)
    }
}
