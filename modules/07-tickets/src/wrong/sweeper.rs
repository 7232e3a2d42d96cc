//! 07.3's fixes that almost work.

use crate::clock::Clock;
use crate::sweeper::{Freed, Sweeper};
use sqlx::PgPool;

fn freed(rows: Vec<(i64, String)>) -> Vec<Freed> {
    rows.into_iter()
        .map(|(ticket, user)| Freed { ticket, user })
        .collect()
}

// ANCHOR: keeps_the_cart
/// The race is gone (one UPDATE decides, re-checked after any row lock), but
/// the cart rows stay: the page still shows the lapsed ticket in the cart,
/// and the next checkout finds a row whose ticket is someone else's.
pub struct KeepsTheCart {
    pool: PgPool,
    clock: Clock,
}

impl Sweeper for KeepsTheCart {
    fn new(pool: PgPool, clock: Clock) -> Self {
        KeepsTheCart { pool, clock }
    }

    async fn sweep(&self) -> sqlx::Result<Vec<Freed>> {
        let rows = sqlx::query_as(
            "UPDATE tickets t SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
               FROM (SELECT id, reserved_by FROM tickets
                      WHERE status = 'RESERVED' AND reserved_until <= $1 FOR UPDATE) lapsed
              WHERE t.id = lapsed.id RETURNING t.id, lapsed.reserved_by",
        )
        .bind(self.clock.now_ms())
        .fetch_all(&self.pool)
        .await?;
        Ok(freed(rows))
    }
}
// ANCHOR_END: keeps_the_cart

// ANCHOR: strict_deadline
/// `reserved_until < now` where checkout says a reservation is valid while
/// `now < reserved_until`: at the instant `now == reserved_until` checkout
/// refuses it and the sweeper keeps it, a ticket nobody can buy or free.
pub struct StrictDeadline {
    pool: PgPool,
    clock: Clock,
}

impl Sweeper for StrictDeadline {
    fn new(pool: PgPool, clock: Clock) -> Self {
        StrictDeadline { pool, clock }
    }

    async fn sweep(&self) -> sqlx::Result<Vec<Freed>> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE tickets t SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
               FROM (SELECT id, reserved_by FROM tickets
                      WHERE status = 'RESERVED' AND reserved_until < $1 FOR UPDATE) lapsed
              WHERE t.id = lapsed.id RETURNING t.id, lapsed.reserved_by",
        )
        .bind(self.clock.now_ms())
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
        sqlx::query("DELETE FROM cart_items WHERE ticket_id = ANY($1)")
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(freed(rows))
    }
}
// ANCHOR_END: strict_deadline
