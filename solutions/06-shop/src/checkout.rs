//! # 06.1 Checkout (PostgreSQL): reserve, pay, confirm or release
//!
//! **The race.** A checkout that opens a transaction, reserves, calls the
//! payment gateway and commits holds its row locks and a connection for as
//! long as another company's server takes to answer, and a crash mid-call
//! leaves nobody knowing whether the money moved. A checkout that gives up
//! on a failed payment without releasing leaves units reserved for ever;
//! one that retries with a fresh key charges twice.
//!
//! **Your task.** Three short steps, none holding a transaction across the
//! payment: (1) reserve and create the order in one statement, committed;
//! (2) pay through the payment client you are given, your own from 05.4,
//! with `payment_key(order)`: it retries a 503 or a timeout with that key
//! (the charge may have happened; the key finds it) and stops calling a
//! gateway that keeps failing; (3) confirm (`paid`, reserved moves to sold)
//! or, when declined, release (`released`, reserved back to the shelf),
//! each in one statement. Any other error is not a refusal: the money may
//! have moved, so the order stays reserved and the answer is
//! `PaymentInDoubt`.
//!
//! **The spec checks**, on a real PostgreSQL, with module 05's gateway
//! (`racecourse_05::gateway::FakeGateway`) behind your 05.4 client: it
//! declines amounts over its card limit, loses the reply of every fifth new
//! charge, once loses every reply of one payment, and lets the spec check
//! each order is committed at the moment of the call: each outcome leaves
//! nothing reserved but the payment in doubt; that one is neither released
//! nor charged twice; 100 buyers at once for 50 units, three rounds: no
//! transaction across the call, no double charge, no orphan reservation, no
//! oversell.
//!
//! Run `cargo xtask test 06.1`; stuck? `cargo xtask hint 06.1`. It needs
//! 05.4: the checkout pays through your client.

use racecourse_05::ChargeError;
use racecourse_06::checkout::{Checkout, CheckoutError, Order, Payments, payment_key};
use sqlx::PgPool;

pub struct PgCheckout {
    pool: PgPool,
    payments: Payments,
}

// ANCHOR: checkout
impl Checkout for PgCheckout {
    fn new(pool: PgPool, payments: Payments) -> Self {
        PgCheckout { pool, payments }
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let (order, amount) = self.reserve(product, buyer, qty).await?;
        match self.payments.charge(&payment_key(order), amount).await {
            Ok(charge) => {
                self.settle(order, "paid", Some(&charge)).await?;
                Ok(Order { id: order, charge })
            }
            Err(ChargeError::Declined) => {
                self.settle(order, "released", None).await?;
                Err(CheckoutError::Declined(order))
            }
            Err(doubt) => Err(CheckoutError::PaymentInDoubt(order, doubt)),
        }
    }
}
// ANCHOR_END: checkout

impl PgCheckout {
    // ANCHOR: reserve
    /// Reserves `qty` units and creates the order, in one statement: the
    /// guarded UPDATE cannot oversell, and it commits before the payment.
    async fn reserve(
        &self,
        product: i64,
        buyer: &str,
        qty: i32,
    ) -> Result<(i64, i64), CheckoutError> {
        let order: Option<(i64, i64)> = sqlx::query_as(
            "WITH p AS (
               UPDATE products SET reserved = reserved + $2
                WHERE id = $1 AND stock - reserved - sold >= $2
                RETURNING id, price)
             INSERT INTO orders (product_id, buyer, qty, amount)
             SELECT id, $3, $2, price * $2 FROM p
             RETURNING id, amount",
        )
        .bind(product)
        .bind(qty)
        .bind(buyer)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(order) = order {
            return Ok(order);
        }
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM products WHERE id = $1)")
                .bind(product)
                .fetch_one(&self.pool)
                .await?;
        Err(if exists {
            CheckoutError::OutOfStock
        } else {
            CheckoutError::UnknownProduct(product)
        })
    }
    // ANCHOR_END: reserve

    // ANCHOR: settle
    /// Moves a reserved order to `paid` (its units to sold) or `released`
    /// (its units back on the shelf), in one statement, once.
    async fn settle(&self, order: i64, state: &str, charge: Option<&str>) -> sqlx::Result<()> {
        sqlx::query(
            "WITH o AS (
               UPDATE orders SET state = $2, charge = $3
                WHERE id = $1 AND state = 'reserved'
                RETURNING product_id, qty)
             UPDATE products p
                SET reserved = p.reserved - o.qty,
                    sold = p.sold + CASE WHEN $2 = 'paid' THEN o.qty ELSE 0 END
               FROM o WHERE p.id = o.product_id",
        )
        .bind(order)
        .bind(state)
        .bind(charge)
        .execute(&self.pool)
        .await
        .map(drop)
    }
    // ANCHOR_END: settle
}
