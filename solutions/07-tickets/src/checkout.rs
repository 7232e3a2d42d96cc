//! # 07.4 Checkout in one transaction (PostgreSQL)
//!
//! **The race.** Checkout reads the cart, finds both reservations valid, and
//! marks the tickets SOLD. Between the read and the write the sweeper freed
//! one of them: it is sold and on sale at once. Or one reservation had lapsed
//! and the other ticket was sold alone, half an order.
//!
//! **Your task.** One transaction: read the cart's tickets with `FOR UPDATE
//! OF` the tickets (a lock taken before the check, so the check holds until
//! commit); if any is not RESERVED by this user with `now < reserved_until`,
//! roll back and answer `Expired` with those ids (the demo answers 410 Gone,
//! problem type `reservation-expired`); else insert the order, its items,
//! mark the tickets SOLD, delete the cart rows, commit.
//!
//! **The spec checks**: a valid cart of three becomes one order of three
//! SOLD tickets and an empty cart; a cart with a lapsed reservation, or one
//! taken back, sells nothing and names it; a checkout racing the sweeper,
//! which frees one of its tickets meanwhile, sells nothing (three rounds);
//! while checkout waits to write the order, after its check, no ticket is
//! SOLD without it, and a sweeper that comes by waits for checkout (three
//! rounds).
//!
//! Run `cargo xtask test 07.4`; stuck? `cargo xtask hint 07.4`.

use racecourse_07::checkout::{Checkout, CheckoutError, Order};
use racecourse_07::clock::Clock;
use sqlx::PgPool;

/// A cart row with what checkout judges: id, price, status, owner, deadline.
type CartRow = (i64, i64, String, Option<String>, Option<i64>);

pub struct PgCheckout {
    pool: PgPool,
    clock: Clock,
}

impl Checkout for PgCheckout {
    fn new(pool: PgPool, clock: Clock) -> Self {
        PgCheckout { pool, clock }
    }

    // ANCHOR: checkout
    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.clock.now_ms();
        let mut tx = self.pool.begin().await?;
        // The lock comes before the check, so the check holds until COMMIT.
        let cart: Vec<CartRow> = sqlx::query_as(
            "SELECT t.id, t.price, t.status, t.reserved_by, t.reserved_until
               FROM cart_items c JOIN tickets t ON t.id = c.ticket_id
              WHERE c.user_id = $1 ORDER BY t.id FOR UPDATE OF t",
        )
        .bind(user)
        .fetch_all(&mut *tx)
        .await?;
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        let expired: Vec<i64> = cart
            .iter()
            .filter(|(_, _, status, by, until)| {
                status != "RESERVED"
                    || by.as_deref() != Some(user)
                    || until.is_none_or(|u| now >= u)
            })
            .map(|(id, ..)| *id)
            .collect();
        if !expired.is_empty() {
            // Dropping the transaction rolls it back: nothing is sold.
            return Err(CheckoutError::Expired(expired));
        }
        let tickets: Vec<i64> = cart.iter().map(|(id, ..)| *id).collect();
        let total: i64 = cart.iter().map(|(_, price, ..)| price).sum();
        let (order,): (i64,) = sqlx::query_as(
            "INSERT INTO orders (user_id, total, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(user)
        .bind(total)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO order_items (order_id, ticket_id, price)
             SELECT $1, id, price FROM tickets WHERE id = ANY($2)",
        )
        .bind(order)
        .bind(&tickets)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE tickets SET status = 'SOLD' WHERE id = ANY($1)")
            .bind(&tickets)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM cart_items WHERE user_id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Order {
            id: order,
            tickets,
            total,
        })
    }
    // ANCHOR_END: checkout
}
