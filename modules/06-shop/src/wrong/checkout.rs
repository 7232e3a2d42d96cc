//! 06.1: checkouts that almost work. They share the right steps ([`Steps`]:
//! reserve and create the order in one statement, pay through the client
//! with the order's key, settle in one statement); each gets one thing
//! wrong around the payment.

use crate::checkout::{Checkout, CheckoutError, Order, Payments, payment_key};
use crate::think;
use racecourse_05::ChargeError;
use sqlx::{PgConnection, PgPool};

/// The pool, the payment client, and the steps the wrong fixes below get
/// right.
struct Steps {
    pool: PgPool,
    payments: Payments,
}

impl Steps {
    /// Reserves and creates the order in one guarded statement.
    async fn reserve(
        conn: &mut PgConnection,
        product: i64,
        buyer: &str,
        qty: i32,
    ) -> Result<(i64, i64), CheckoutError> {
        let order: Option<(i64, i64)> = sqlx::query_as(
            "WITH p AS (
               UPDATE products SET reserved = reserved + $2
                WHERE id = $1 AND stock - reserved - sold >= $2 RETURNING id, price)
             INSERT INTO orders (product_id, buyer, qty, amount)
             SELECT id, $3, $2, price * $2 FROM p RETURNING id, amount",
        )
        .bind(product)
        .bind(qty)
        .bind(buyer)
        .fetch_optional(&mut *conn)
        .await?;
        match order {
            Some(order) => Ok(order),
            None => Err(Steps::why_not(conn, product).await),
        }
    }

    async fn why_not(conn: &mut PgConnection, product: i64) -> CheckoutError {
        let exists = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM products WHERE id = $1)")
            .bind(product)
            .fetch_one(conn)
            .await;
        match exists {
            Ok(true) => CheckoutError::OutOfStock,
            Ok(false) => CheckoutError::UnknownProduct(product),
            Err(e) => CheckoutError::Db(e),
        }
    }

    /// Moves a reserved order to `paid` or `released`, with its units.
    async fn settle(
        conn: &mut PgConnection,
        order: i64,
        state: &str,
        charge: Option<&str>,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "WITH o AS (UPDATE orders SET state = $2, charge = $3
                         WHERE id = $1 AND state = 'reserved' RETURNING product_id, qty)
             UPDATE products p SET reserved = p.reserved - o.qty,
                    sold = p.sold + CASE WHEN $2 = 'paid' THEN o.qty ELSE 0 END
               FROM o WHERE p.id = o.product_id",
        )
        .bind(order)
        .bind(state)
        .bind(charge)
        .execute(conn)
        .await
        .map(drop)
    }

    /// Settles `order` by the client's answer.
    async fn finish(
        conn: &mut PgConnection,
        order: i64,
        outcome: Result<String, ChargeError>,
    ) -> Result<Order, CheckoutError> {
        match outcome {
            Ok(charge) => {
                Steps::settle(conn, order, "paid", Some(&charge)).await?;
                Ok(Order { id: order, charge })
            }
            Err(ChargeError::Declined) => {
                Steps::settle(conn, order, "released", None).await?;
                Err(CheckoutError::Declined(order))
            }
            Err(doubt) => Err(CheckoutError::PaymentInDoubt(order, doubt)),
        }
    }

    /// Pays for `order` through the client, with the order's key.
    async fn pay(&self, order: i64, amount: i64) -> Result<String, ChargeError> {
        self.payments.charge(&payment_key(order), amount).await
    }
}

// ANCHOR: one_transaction
/// Right steps, inside one transaction: a failure rolls the reservation back
/// by itself. But the transaction, its row lock on the product and its
/// connection are held for as long as the gateway takes; every other buyer
/// of the product waits, and the gateway is asked to charge an order that,
/// for the rest of the world, does not exist yet.
pub struct OneTransaction(Steps);

impl Checkout for OneTransaction {
    fn new(pool: PgPool, payments: Payments) -> Self {
        OneTransaction(Steps { pool, payments })
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let mut tx = self.0.pool.begin().await?;
        let (order, amount) = Steps::reserve(&mut tx, product, buyer, qty).await?;
        let outcome = self.0.pay(order, amount).await;
        let result = Steps::finish(&mut tx, order, outcome).await;
        tx.commit().await?;
        result
    }
}
// ANCHOR_END: one_transaction

// ANCHOR: fresh_key
/// Committed steps, the client's retries, and one more try of its own when
/// the client gives up on 503s, under a new key, "so that the gateway does
/// not answer from its record of the failed key". The first charge
/// happened, its replies were lost: the new key is a second charge for the
/// same order.
pub struct FreshKeyRetry(Steps);

impl Checkout for FreshKeyRetry {
    fn new(pool: PgPool, payments: Payments) -> Self {
        FreshKeyRetry(Steps { pool, payments })
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let mut conn = self.0.pool.acquire().await?;
        let (order, amount) = Steps::reserve(&mut conn, product, buyer, qty).await?;
        drop(conn);
        let outcome = match self.0.pay(order, amount).await {
            Err(ChargeError::Unavailable | ChargeError::TimedOut) => {
                let key = format!("{}-retry", payment_key(order));
                self.0.payments.charge(&key, amount).await
            }
            outcome => outcome,
        };
        Steps::finish(&mut *self.0.pool.acquire().await?, order, outcome).await
    }
}
// ANCHOR_END: fresh_key

// ANCHOR: release_on_error
/// Any payment error releases the order: tidy, no orphan. But only a
/// decline is a refusal: when the client gives up on lost replies, the
/// charge happened, and the buyer paid for an order that is now released.
pub struct ReleaseOnError(Steps);

impl Checkout for ReleaseOnError {
    fn new(pool: PgPool, payments: Payments) -> Self {
        ReleaseOnError(Steps { pool, payments })
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let mut conn = self.0.pool.acquire().await?;
        let (order, amount) = Steps::reserve(&mut conn, product, buyer, qty).await?;
        drop(conn);
        let outcome = self.0.pay(order, amount).await;
        let outcome = outcome.map_err(|_| ChargeError::Declined);
        Steps::finish(&mut *self.0.pool.acquire().await?, order, outcome).await
    }
}
// ANCHOR_END: release_on_error

// ANCHOR: no_release
/// Committed steps, the payment through the client, and the error handed
/// back when the card is declined, without a release: the order stays
/// `reserved` and its units are off the shelf for ever.
pub struct NoRelease(Steps);

impl Checkout for NoRelease {
    fn new(pool: PgPool, payments: Payments) -> Self {
        NoRelease(Steps { pool, payments })
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let mut conn = self.0.pool.acquire().await?;
        let (order, amount) = Steps::reserve(&mut conn, product, buyer, qty).await?;
        drop(conn);
        let charge = self
            .0
            .pay(order, amount)
            .await
            .map_err(|_| CheckoutError::Declined(order))?;
        Steps::finish(&mut *self.0.pool.acquire().await?, order, Ok(charge)).await
    }
}
// ANCHOR_END: no_release

// ANCHOR: check_then_reserve
/// Everything right around the payment, but the stock read, then reserved
/// by a relative UPDATE with no guard: buyers that read the same free units
/// all reserve them, and more units are sold than there are (01.4's race,
/// back in a bigger flow).
pub struct CheckThenReserve(Steps);

impl Checkout for CheckThenReserve {
    fn new(pool: PgPool, payments: Payments) -> Self {
        CheckThenReserve(Steps { pool, payments })
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let free: Option<i32> =
            sqlx::query_scalar("SELECT stock - reserved - sold FROM products WHERE id = $1")
                .bind(product)
                .fetch_optional(&self.0.pool)
                .await?;
        match free {
            None => return Err(CheckoutError::UnknownProduct(product)),
            Some(free) if free < qty => return Err(CheckoutError::OutOfStock),
            Some(_) => think().await,
        }
        let (order, amount): (i64, i64) = sqlx::query_as(
            "WITH p AS (UPDATE products SET reserved = reserved + $2 WHERE id = $1
                        RETURNING id, price)
             INSERT INTO orders (product_id, buyer, qty, amount)
             SELECT id, $3, $2, price * $2 FROM p RETURNING id, amount",
        )
        .bind(product)
        .bind(qty)
        .bind(buyer)
        .fetch_one(&self.0.pool)
        .await?;
        let outcome = self.0.pay(order, amount).await;
        Steps::finish(&mut *self.0.pool.acquire().await?, order, outcome).await
    }
}
// ANCHOR_END: check_then_reserve
