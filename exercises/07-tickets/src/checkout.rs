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

pub struct PgCheckout {
    pool: PgPool,
    clock: Clock,
}

impl Checkout for PgCheckout {
    fn new(pool: PgPool, clock: Clock) -> Self {
        PgCheckout { pool, clock }
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let (_pool, _clock) = (&self.pool, &self.clock);
        todo!("07.4 exercises/07-tickets/src/checkout.rs: PgCheckout::checkout({user})")
    }
}
