//! 07.4, naive: sell whatever is in the cart.

use crate::checkout::{Checkout, CheckoutError, Order};
use crate::clock::Clock;
use sqlx::PgPool;

/// No check at all: a lapsed reservation, or one the sweeper just freed, is sold.
pub struct SellTheCart {
    pool: PgPool,
    clock: Clock,
}

/// Creates the order, its items and SOLD for `tickets`, on `conn`: in
/// autocommit, one statement after another, unless `conn` is in a transaction.
pub(crate) async fn sell(
    conn: &mut sqlx::PgConnection,
    user: &str,
    tickets: &[(i64, i64)],
    now: i64,
) -> Result<Order, CheckoutError> {
    let ids: Vec<i64> = tickets.iter().map(|(id, _)| *id).collect();
    let total = tickets.iter().map(|(_, p)| p).sum();
    let (order,): (i64,) = sqlx::query_as(
        "INSERT INTO orders (user_id, total, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(user)
    .bind(total)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO order_items (order_id, ticket_id, price)
         SELECT $1, id, price FROM tickets WHERE id = ANY($2)",
    )
    .bind(order)
    .bind(&ids)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE tickets SET status = 'SOLD' WHERE id = ANY($1)")
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM cart_items WHERE user_id = $1")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(Order {
        id: order,
        tickets: ids,
        total,
    })
}

impl Checkout for SellTheCart {
    fn new(pool: PgPool, clock: Clock) -> Self {
        SellTheCart { pool, clock }
    }

    // ANCHOR: naive
    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let cart: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT t.id, t.price FROM cart_items c JOIN tickets t ON t.id = c.ticket_id
              WHERE c.user_id = $1 ORDER BY t.id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        let mut conn = self.pool.acquire().await?;
        sell(&mut conn, user, &cart, self.clock.now_ms()).await
    }
    // ANCHOR_END: naive
}
