//! Exercise 06.1: checkout. Reserve the stock, create the order, call the
//! payment gateway, then confirm; or release the reservation when the
//! payment fails. The gateway is another company's service, outside every
//! transaction of ours (migrations/0001_shop.sql for the tables): module 05's
//! [`FakeGateway`], which declines an amount over its card limit and, here,
//! loses the reply of every fifth new charge.

use racecourse_05::gateway::FakeGateway;
use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;

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
    /// The gateway answered 503, attempt after attempt: the order stays
    /// reserved for a reconciler, since the money may have moved.
    #[error("the payment for order {0} is in doubt: the gateway answered 503 to every attempt")]
    PaymentInDoubt(i64),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// How often a checkout asks the gateway, with the same key, before it
/// gives up on a reply.
pub const PAYMENT_ATTEMPTS: usize = 3;

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
    fn new(pool: PgPool, gateway: Arc<FakeGateway>) -> Self;

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
