//! # 01.5 Stock reservation with one conditional `UPDATE`
//!
//! **The race.** The same as 01.4: a check in one statement and a write in
//! another leave a gap in which other buyers read stale stock.
//!
//! **Your task.** Close the gap without an explicit lock: put the check inside
//! the write (`UPDATE ... WHERE stock - reserved >= $qty`) and insert the order
//! from the same statement, so a reservation is one round trip.
//!
//! **The spec checks** that 100 concurrent buyers of 50 units never get more
//! units than there are, five rounds over: one unit each in the first (exactly
//! 50 orders), 3, 6 or 9 units each in the others, with `reserved` always equal
//! to the units ordered.
//!
//! Run `cargo xtask test 01.5`; stuck? `cargo xtask hint 01.5`. Needs PostgreSQL.

use racecourse_01::{Inventory, ReserveError};
use sqlx::PgPool;

/// Reserves with one statement that checks and writes.
pub struct ConditionalInventory {
    pool: PgPool,
}

impl ConditionalInventory {
    pub fn new(pool: PgPool) -> Self {
        ConditionalInventory { pool }
    }
}

impl Inventory for ConditionalInventory {
    async fn reserve(&self, product: i64, qty: i32, buyer: &str) -> Result<i64, ReserveError> {
        let _pool = &self.pool;
        todo!(
            "01.5 exercises/01-concurrency/src/conditional.rs: ConditionalInventory::reserve({product}, {qty}, {buyer})"
        )
    }
}
