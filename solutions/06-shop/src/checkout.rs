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
//! gateway call: (1) reserve and create the order in one statement, committed;
//! (2) charge with `payment_key(order)`, retrying a 503 (`Unavailable`: the
//! charge may have happened) with the same key up to `PAYMENT_ATTEMPTS`
//! times; (3) confirm (`paid`, reserved moves to sold) or, when declined,
//! release (`released`, reserved back to the shelf), each in one statement.
//!
//! **The spec checks**, on a real PostgreSQL, with module 05's gateway
//! (`racecourse_05::gateway::FakeGateway`), which declines amounts over its
//! card limit, loses the reply of every fifth new charge, and lets the spec
//! check each order is committed at the moment of the call: each outcome
//! leaves nothing reserved; 100 buyers at once for 50 units, three rounds:
//! no transaction across the call, no double charge, no orphan reservation,
//! no oversell.
//!
//! Run `cargo xtask test 06.1`; stuck? `cargo xtask hint 06.1`.

use racecourse_05::gateway::{FakeGateway, GatewayError};
use racecourse_06::checkout::{Checkout, CheckoutError, Order, PAYMENT_ATTEMPTS, payment_key};
use sqlx::PgPool;
use std::sync::Arc;

pub struct PgCheckout {
    pool: PgPool,
    gateway: Arc<FakeGateway>,
}

// ANCHOR: checkout
impl Checkout for PgCheckout {
    fn new(pool: PgPool, gateway: Arc<FakeGateway>) -> Self {
        PgCheckout { pool, gateway }
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let (order, amount) = self.reserve(product, buyer, qty).await?;
        let mut outcome = Err(GatewayError::Unavailable);
        for _ in 0..PAYMENT_ATTEMPTS {
            outcome = self.gateway.charge(&payment_key(order), amount).await;
            if outcome != Err(GatewayError::Unavailable) {
                break;
            }
        }
        match outcome {
            Ok(charge) => {
                self.settle(order, "paid", Some(&charge)).await?;
                Ok(Order { id: order, charge })
            }
            Err(GatewayError::Declined) => {
                self.settle(order, "released", None).await?;
                Err(CheckoutError::Declined(order))
            }
            Err(GatewayError::Unavailable) => Err(CheckoutError::PaymentInDoubt(order)),
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
