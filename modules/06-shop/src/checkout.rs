//! Exercise 06.1: checkout. Reserve the stock, create the order, pay, then
//! confirm; or release the reservation when the payment is refused. The
//! payment goes through module 05's resilient client (05.4: a timeout per
//! attempt, retries with the same key, a circuit breaker), not a loop of the
//! checkout's own; the gateway behind it is another company's service,
//! outside every transaction of ours (migrations/0001_shop.sql for the
//! tables): module 05's `FakeGateway`, which declines an amount over its card
//! limit and, here, loses replies.

use racecourse_05::ChargeError;
use racecourse_05::spec::erased::DynPaymentClient;
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;

/// The payment client a checkout is given: the student's own 05.4 client in
/// the exercise crate, the reference one in the solution crate and the
/// gallery. Its `charge(key, amount)` retries what a retry can fix, with the
/// same key, so the checkout calls it once per order.
pub type Payments = Arc<dyn DynPaymentClient>;

/// A paid order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    /// The gateway's charge id.
    pub charge: String,
}

/// Why a checkout did not end in a paid order. After each of them nothing
/// is left reserved.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("no product {0}")]
    UnknownProduct(i64),
    #[error("not enough stock")]
    OutOfStock,
    /// The gateway refused; the order was released.
    #[error("the payment for order {0} was declined; the order was released")]
    Declined(i64),
    /// The client gave up without a refusal (503s, timeouts, the breaker
    /// open after a failed attempt): the money may have moved, so the order
    /// stays reserved for a reconciler, which asks again with the same key.
    #[error("the payment for order {0} is in doubt ({1}); the order stays reserved")]
    PaymentInDoubt(i64, ChargeError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// The idempotency key of the payment for `order`: the same on every attempt.
pub fn payment_key(order: i64) -> String {
    format!("order-{order}")
}

/// The order a payment key was made for: `payment_key(order)`, or a key that
/// begins with it (`order-7-attempt-2`), which the spec and the demo count
/// as a charge of order 7 too.
pub fn order_of(key: &str) -> Option<i64> {
    let rest = key.strip_prefix("order-")?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// The shop's checkout.
pub trait Checkout: Send + Sync + 'static {
    fn new(pool: PgPool, payments: Payments) -> Self;

    /// Buys `qty` units of `product` for `buyer`.
    fn checkout(
        &self,
        product: i64,
        buyer: &str,
        qty: i32,
    ) -> impl Future<Output = Result<Order, CheckoutError>> + Send;
}

/// A product's counters, and its orders by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockReport {
    pub stock: i64,
    pub reserved: i64,
    pub sold: i64,
    pub orders_reserved: i64,
    pub orders_paid: i64,
    pub units_paid: i64,
}

/// Adds a product with this many units at this price.
pub async fn add_product(pool: &PgPool, id: i64, stock: i32, price: i64) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO products (id, price, stock) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(price)
        .bind(stock)
        .execute(pool)
        .await
        .map(drop)
}

/// Reads [`StockReport`] for `product`.
pub async fn stock_report(pool: &PgPool, product: i64) -> sqlx::Result<StockReport> {
    let (stock, reserved, sold, orders_reserved, orders_paid, units_paid) = sqlx::query_as(
        "SELECT p.stock::int8, p.reserved::int8, p.sold::int8,
                (SELECT count(*) FROM orders WHERE product_id = p.id AND state = 'reserved'),
                (SELECT count(*) FROM orders WHERE product_id = p.id AND state = 'paid'),
                (SELECT coalesce(sum(qty), 0)::int8 FROM orders
                  WHERE product_id = p.id AND state = 'paid')
           FROM products p WHERE p.id = $1",
    )
    .bind(product)
    .fetch_one(pool)
    .await?;
    Ok(StockReport {
        stock,
        reserved,
        sold,
        orders_reserved,
        orders_paid,
        units_paid,
    })
}
