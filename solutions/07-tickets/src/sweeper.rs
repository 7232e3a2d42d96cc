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

    // ANCHOR: sweep
    async fn sweep(&self) -> sqlx::Result<Vec<Freed>> {
        let now = self.clock.now_ms();
        let mut tx = self.pool.begin().await?;
        // FOR UPDATE waits for a checkout holding the row, then re-checks the
        // WHERE on the row as committed: a ticket sold meanwhile drops out.
        let freed: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE tickets t
                SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
               FROM (SELECT id, reserved_by FROM tickets
                      WHERE status = 'RESERVED' AND reserved_until <= $1
                      FOR UPDATE) lapsed
              WHERE t.id = lapsed.id
          RETURNING t.id, lapsed.reserved_by",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let ids: Vec<i64> = freed.iter().map(|(id, _)| *id).collect();
        sqlx::query("DELETE FROM cart_items WHERE ticket_id = ANY($1)")
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(freed
            .into_iter()
            .map(|(ticket, user)| Freed { ticket, user })
            .collect())
    }
    // ANCHOR_END: sweep
}
