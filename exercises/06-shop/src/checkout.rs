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

use racecourse_06::checkout::{Checkout, CheckoutError, Order, Payments};
use sqlx::PgPool;

pub struct PgCheckout {
    pool: PgPool,
    payments: Payments,
}

impl Checkout for PgCheckout {
    fn new(pool: PgPool, payments: Payments) -> Self {
        PgCheckout { pool, payments }
    }

    /// Reserve and create the order (committed), pay through
    /// `self.payments` with `payment_key(order)`, then confirm, or release
    /// when declined.
    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let (_pool, _payments) = (&self.pool, &self.payments);
        todo!(
            "06.1 exercises/06-shop/src/checkout.rs: PgCheckout::checkout({product}, {buyer}, {qty})"
        )
    }
}
