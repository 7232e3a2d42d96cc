//! # 07.3 The expiry sweeper (PostgreSQL)
//!
//! **The race.** Ann's reservation ends at 12:15:00. At 12:14:59.9 her
//! checkout finds it valid and sells the ticket; at 12:15:00.1 the sweeper,
//! which had listed the lapsed reservations a moment before, sets the ticket
//! back to AVAILABLE. Ann paid for a ticket someone else can now buy.
//!
//! **Your task.** One transaction: select the lapsed reservations with `FOR
//! UPDATE` (status RESERVED and `reserved_until <= now`, by the injected
//! clock), set them AVAILABLE with no owner and no deadline, delete their
//! cart rows, and answer who lost what. A row another transaction holds is
//! re-checked by PostgreSQL once its lock is released: a ticket sold
//! meanwhile no longer matches, and stays sold.
//!
//! **The spec checks**: exactly the lapsed reservations are freed (the one
//! ending now included), their carts emptied, a valid one and a sold ticket
//! untouched; a checkout that sells the ticket while the sweeper waits for
//! its row lock wins alone (three rounds).
//!
//! Run `cargo xtask test 07.3`; stuck? `cargo xtask hint 07.3`.

use racecourse_07::clock::Clock;
use racecourse_07::sweeper::{Freed, Sweeper};
use sqlx::PgPool;

pub struct PgSweeper {
    pool: PgPool,
    clock: Clock,
}

impl Sweeper for PgSweeper {
    fn new(pool: PgPool, clock: Clock) -> Self {
        PgSweeper { pool, clock }
    }

    async fn sweep(&self) -> sqlx::Result<Vec<Freed>> {
        let _pool = &self.pool;
        todo!(
            "07.3: sweep() at {} in exercises/07-tickets/src/sweeper.rs: free the reservations \
             with reserved_until <= now, FOR UPDATE, and empty their carts, in one transaction",
            self.clock.now_ms()
        )
    }
}
