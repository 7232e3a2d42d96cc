//! Exercise 07.4: checkout. Every reservation in the user's cart must still be
//! valid; then one transaction creates the order and its items, marks the
//! tickets SOLD and empties the cart. Otherwise nothing is sold.

use crate::clock::Clock;
use serde::Serialize;
use sqlx::PgPool;
use std::future::Future;

/// A completed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: i64,
    /// The tickets sold, by id.
    pub tickets: Vec<i64>,
    /// In cents.
    pub total: i64,
}

/// Why checkout sold nothing.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("the cart is empty")]
    EmptyCart,
    /// These tickets' reservations lapsed (or were taken back): the demo
    /// answers 410 Gone, problem type `reservation-expired`.
    #[error("the reservations of tickets {0:?} have expired")]
    Expired(Vec<i64>),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// The checkout step.
pub trait Checkout: Send + Sync + 'static {
    fn new(pool: PgPool, clock: Clock) -> Self;

    /// Buys everything in `user`'s cart, or nothing.
    fn checkout(&self, user: &str) -> impl Future<Output = Result<Order, CheckoutError>> + Send;
}
