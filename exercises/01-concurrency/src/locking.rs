//! # 01.4 Stock reservation with `SELECT ... FOR UPDATE`
//!
//! **The race.** Read the stock, check it, write the reservation: between the
//! read and the write, other buyers read the same "50 left", and every one of
//! them gets an order. 100 buyers, 50 units, 100 orders.
//!
//! **Your task.** Reserve in one transaction that locks the product's row
//! before reading it (`SELECT ... FOR UPDATE`), so buyers take turns, and that
//! gives up with `Busy` after `lock_timeout` instead of queueing for ever.
//!
//! **The spec checks** that 100 concurrent buyers of 50 units never get more
//! units than there are, five rounds over: one unit each in the first (exactly
//! 50 orders), 3, 6 or 9 units each in the others, with `reserved` always equal
//! to the units ordered; and that a reservation of a row another transaction
//! holds fails with `Busy` after its 200 ms lock timeout.
//!
//! Run `cargo xtask test 01.4`; stuck? `cargo xtask hint 01.4`. Needs PostgreSQL.

use racecourse_01::{Inventory, ReserveError};
use sqlx::PgPool;
use std::time::Duration;

/// Reserves with a row lock held for the whole check and write.
pub struct LockingInventory {
    pool: PgPool,
    lock_timeout: Duration,
}

impl LockingInventory {
    /// With a lock timeout of 2 s.
    pub fn new(pool: PgPool) -> Self {
        Self::with_lock_timeout(pool, Duration::from_secs(2))
    }

    pub fn with_lock_timeout(pool: PgPool, lock_timeout: Duration) -> Self {
        LockingInventory { pool, lock_timeout }
    }
}

impl Inventory for LockingInventory {
    async fn reserve(&self, product: i64, qty: i32, buyer: &str) -> Result<i64, ReserveError> {
        // A lock wait cut short by lock_timeout is `Busy`, not a database
        // error: racecourse_01::inventory::is_lock_timeout tells which.
        let (_pool, _lock_timeout) = (&self.pool, self.lock_timeout);
        todo!(
            "01.4 exercises/01-concurrency/src/locking.rs: LockingInventory::reserve({product}, {qty}, {buyer})"
        )
    }
}
