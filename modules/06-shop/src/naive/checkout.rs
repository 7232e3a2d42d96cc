//! 06.1, naive: the checkout as it is first written. One transaction around
//! everything, so a failed payment is "just a rollback"; the stock read,
//! then written. It holds its locks and its connection across the gateway
//! call, and two buyers that read the same stock both reserve it.

use crate::checkout::{Checkout, CheckoutError, Order, Payments, payment_key};
use crate::think;
use sqlx::PgPool;

pub struct OneBigTransaction {
    pool: PgPool,
    payments: Payments,
}

// ANCHOR: naive
impl Checkout for OneBigTransaction {
    fn new(pool: PgPool, payments: Payments) -> Self {
        OneBigTransaction { pool, payments }
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let mut tx = self.pool.begin().await?;
        let row: Option<(i32, i32, i32, i64)> =
            sqlx::query_as("SELECT stock, reserved, sold, price FROM products WHERE id = $1")
                .bind(product)
                .fetch_optional(&mut *tx)
                .await?;
        let (stock, reserved, sold, price) = row.ok_or(CheckoutError::UnknownProduct(product))?;
        if stock - reserved - sold < qty {
            return Err(CheckoutError::OutOfStock);
        }
        think().await;
        sqlx::query("UPDATE products SET reserved = $2 WHERE id = $1")
            .bind(product)
            .bind(reserved + qty)
            .execute(&mut *tx)
            .await?;
        let order: i64 = sqlx::query_scalar(
            "INSERT INTO orders (product_id, buyer, qty, amount) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(product)
        .bind(buyer)
        .bind(qty)
        .bind(price * i64::from(qty))
        .fetch_one(&mut *tx)
        .await?;
        // The transaction is open across the call: a failure rolls it all back.
        let charge = self
            .payments
            .charge(&payment_key(order), price * i64::from(qty))
            .await
            .map_err(|_| CheckoutError::Declined(order))?;
        sqlx::query("UPDATE orders SET state = 'paid', charge = $2 WHERE id = $1")
            .bind(order)
            .bind(&charge)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE products SET reserved = reserved - $2, sold = sold + $2 WHERE id = $1")
            .bind(product)
            .bind(qty)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Order { id: order, charge })
    }
}
// ANCHOR_END: naive
