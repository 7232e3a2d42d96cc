//! 07.3, naive: list the lapsed reservations, then free them by id.

use crate::clock::Clock;
use crate::sweeper::{Freed, Sweeper};
use crate::think;
use crate::tickets::BookingError;
use redis::aio::ConnectionManager;
use sqlx::PgPool;

/// The list is read before the write: a ticket sold in between is freed
/// anyway. No lock either: it frees a ticket a worker is working on.
pub struct ListThenFree {
    pool: PgPool,
    clock: Clock,
}

impl Sweeper for ListThenFree {
    fn new(pool: PgPool, _conn: ConnectionManager, _prefix: &str, clock: Clock) -> Self {
        ListThenFree { pool, clock }
    }

    // ANCHOR: naive
    async fn sweep(&self) -> Result<Vec<Freed>, BookingError> {
        let lapsed: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, reserved_by FROM tickets WHERE status = 'RESERVED' AND reserved_until <= $1",
        )
        .bind(self.clock.now_ms())
        .fetch_all(&self.pool)
        .await?;
        think().await;
        let ids: Vec<i64> = lapsed.iter().map(|(id, _)| *id).collect();
        sqlx::query(
            "UPDATE tickets SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
             WHERE id = ANY($1)",
        )
        .bind(&ids)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM cart_items WHERE ticket_id = ANY($1)")
            .bind(&ids)
            .execute(&self.pool)
            .await?;
        Ok(lapsed
            .into_iter()
            .map(|(ticket, user)| Freed { ticket, user })
            .collect())
    }
    // ANCHOR_END: naive
}
