//! # 07.3 The expiry sweeper (Redis + PostgreSQL)
//!
//! **The race.** Ann's reservation ends at 12:15:00. At 12:14:59.9 her
//! checkout finds it valid and sells the ticket; at 12:15:00.1 the sweeper,
//! which had listed the lapsed reservations a moment before, sets the ticket
//! back to AVAILABLE. Ann paid for a ticket someone else can now buy. And the
//! sweeper changes who holds a ticket, as the worker (07.2) does: one that
//! frees a ticket whose lock a worker holds, or releases that worker's lock,
//! breaks the lock's promise that its holder alone is changing the ticket.
//!
//! **Your task.** List the lapsed reservations (status RESERVED and
//! `reserved_until <= now`, by the injected clock). Lock each ticket as the
//! worker does, `SET lock_key <owner_token()> NX PX <LOCK_TTL>`, and skip a
//! ticket whose lock another holds: the next pass frees it. Then one
//! transaction for the tickets you locked: an UPDATE that selects them again
//! `FOR UPDATE` with the same conditions sets them AVAILABLE with no owner
//! and no deadline, then delete their cart rows. A row another transaction
//! holds is re-checked by PostgreSQL once its lock is released: a ticket sold
//! meanwhile no longer matches, and stays sold. Release each lock only if it
//! is still yours (07.2's Lua script) and answer who lost what.
//!
//! **The spec checks**: exactly the lapsed reservations are freed (the one
//! ending now included), their carts emptied, a valid one and a sold ticket
//! untouched; a checkout that sells the ticket while the sweeper waits for
//! its row lock wins alone (three rounds); a ticket whose lock a worker holds
//! is left for the next pass, and the sweeper's own locks are released; a
//! sweeper whose lock expired and was taken by a worker leaves the worker's
//! lock alone, and its own lock had an expiry.
//!
//! Run `cargo xtask test 07.3`; stuck? `cargo xtask hint 07.3`.

use racecourse_07::clock::Clock;
use racecourse_07::sweeper::{Freed, Sweeper};
use racecourse_07::tickets::{BookingError, LOCK_TTL, lock_key, owner_token};
use redis::aio::ConnectionManager;
use sqlx::PgPool;

pub struct PgSweeper {
    pool: PgPool,
    conn: ConnectionManager,
    prefix: String,
    clock: Clock,
}

/// Deletes the lock only if it still holds our token: one command, no gap.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

impl PgSweeper {
    /// In one transaction: frees those of `tickets` still lapsed at `now` and
    /// empties their carts.
    async fn free(&self, tickets: &[i64], now: i64) -> sqlx::Result<Vec<Freed>> {
        let mut tx = self.pool.begin().await?;
        // FOR UPDATE waits for a checkout holding the row, then re-checks the
        // WHERE on the row as committed: a ticket sold meanwhile drops out.
        let freed: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE tickets t
                SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
               FROM (SELECT id, reserved_by FROM tickets
                      WHERE id = ANY($2) AND status = 'RESERVED' AND reserved_until <= $1
                      FOR UPDATE) lapsed
              WHERE t.id = lapsed.id
          RETURNING t.id, lapsed.reserved_by",
        )
        .bind(now)
        .bind(tickets)
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
}

impl Sweeper for PgSweeper {
    fn new(pool: PgPool, conn: ConnectionManager, prefix: &str, clock: Clock) -> Self {
        PgSweeper {
            pool,
            conn,
            prefix: prefix.to_string(),
            clock,
        }
    }

    // ANCHOR: sweep
    async fn sweep(&self) -> Result<Vec<Freed>, BookingError> {
        let now = self.clock.now_ms();
        let mut conn = self.conn.clone();
        // Only whom to lock: the UPDATE in `free` decides.
        let lapsed: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM tickets WHERE status = 'RESERVED' AND reserved_until <= $1 ORDER BY id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        // The worker's lock: a ticket another holds waits for the next pass.
        let token = owner_token();
        let mut locked = Vec::new();
        for (id,) in lapsed {
            let taken: Option<String> = redis::cmd("SET")
                .arg(lock_key(&self.prefix, id))
                .arg(&token)
                .arg("NX")
                .arg("PX")
                .arg(LOCK_TTL.as_millis() as u64)
                .query_async(&mut conn)
                .await?;
            if taken.is_some() {
                locked.push(id);
            }
        }
        let freed = self.free(&locked, now).await;
        for id in &locked {
            let _: i64 = redis::Script::new(RELEASE)
                .key(lock_key(&self.prefix, *id))
                .arg(&token)
                .invoke_async(&mut conn)
                .await?;
        }
        Ok(freed?)
    }
    // ANCHOR_END: sweep
}
