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

use racecourse_05::gateway::FakeGateway;
use racecourse_06::checkout::{Checkout, CheckoutError, Order};
use sqlx::PgPool;
use std::sync::Arc;

pub struct PgCheckout {
    pool: PgPool,
    gateway: Arc<FakeGateway>,
}

impl Checkout for PgCheckout {
    fn new(pool: PgPool, gateway: Arc<FakeGateway>) -> Self {
        PgCheckout { pool, gateway }
    }

    async fn checkout(&self, product: i64, buyer: &str, qty: i32) -> Result<Order, CheckoutError> {
        let (_pool, _gateway) = (&self.pool, &self.gateway);
        todo!(
            "06.1: checkout({product}, {buyer}, {qty}) in exercises/06-shop/src/checkout.rs: \
             reserve and create the order (committed), pay with payment_key(order), then \
             confirm or release"
        )
    }
}
