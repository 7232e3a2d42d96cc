//! 07.3's fixes that almost work.

use crate::clock::Clock;
use crate::sweeper::{Freed, Sweeper};
use crate::tickets::{BookingError, LOCK_TTL, lock_key, owner_token};
use crate::wrong::worker::{release_own, take_lock};
use redis::aio::ConnectionManager;
use sqlx::PgPool;

/// What every fix below shares: the pool, the locks' connection, the clock.
pub struct Parts {
    pool: PgPool,
    conn: ConnectionManager,
    prefix: String,
    clock: Clock,
}

impl Parts {
    fn new(pool: PgPool, conn: ConnectionManager, prefix: &str, clock: Clock) -> Parts {
        Parts {
            pool,
            conn,
            prefix: prefix.to_string(),
            clock,
        }
    }

    /// The tickets whose reservation lapsed at `now`, by a plain read.
    async fn lapsed(&self, now: i64) -> sqlx::Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM tickets WHERE status = 'RESERVED' AND reserved_until <= $1 ORDER BY id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The lapsed tickets this pass could lock with `token` (the right way).
    async fn lock_lapsed(&self, now: i64, token: &str) -> Result<Vec<i64>, BookingError> {
        let mut locked = Vec::new();
        for id in self.lapsed(now).await? {
            let key = lock_key(&self.prefix, id);
            if take_lock(&self.conn, &key, token, Some(LOCK_TTL)).await? {
                locked.push(id);
            }
        }
        Ok(locked)
    }

    /// Releases the locks of `tickets` that still hold `token` (the right way).
    async fn release(&self, tickets: &[i64], token: &str) -> redis::RedisResult<()> {
        for id in tickets {
            release_own(&self.conn, &lock_key(&self.prefix, *id), token).await?;
        }
        Ok(())
    }

    /// Frees those of `tickets` still lapsed at `now`, re-checked after each
    /// row lock, and empties their carts, in one transaction (the right way).
    async fn free(&self, tickets: &[i64], now: i64) -> sqlx::Result<Vec<Freed>> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE tickets t SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
               FROM (SELECT id, reserved_by FROM tickets WHERE id = ANY($2)
                        AND status = 'RESERVED' AND reserved_until <= $1 FOR UPDATE) lapsed
              WHERE t.id = lapsed.id RETURNING t.id, lapsed.reserved_by",
        )
        .bind(now)
        .bind(tickets)
        .fetch_all(&mut *tx)
        .await?;
        empty_carts(&mut tx, &rows).await?;
        tx.commit().await?;
        Ok(freed(rows))
    }
}

/// Deletes the cart rows of the tickets in `rows`.
async fn empty_carts(conn: &mut sqlx::PgConnection, rows: &[(i64, String)]) -> sqlx::Result<()> {
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    sqlx::query("DELETE FROM cart_items WHERE ticket_id = ANY($1)")
        .bind(&ids)
        .execute(conn)
        .await?;
    Ok(())
}

fn freed(rows: Vec<(i64, String)>) -> Vec<Freed> {
    rows.into_iter()
        .map(|(ticket, user)| Freed { ticket, user })
        .collect()
}

// ANCHOR: keeps_the_cart
/// The race is gone (one UPDATE decides, re-checked after any row lock, each
/// ticket under its lock), but the cart rows stay: the page still shows the
/// lapsed ticket in the cart, and the next checkout finds a row whose ticket
/// is someone else's.
pub struct KeepsTheCart(Parts);

impl Sweeper for KeepsTheCart {
    fn new(pool: PgPool, conn: ConnectionManager, prefix: &str, clock: Clock) -> Self {
        KeepsTheCart(Parts::new(pool, conn, prefix, clock))
    }

    async fn sweep(&self) -> Result<Vec<Freed>, BookingError> {
        let (now, token) = (self.0.clock.now_ms(), owner_token());
        let locked = self.0.lock_lapsed(now, &token).await?;
        let rows = sqlx::query_as(
            "UPDATE tickets t SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
               FROM (SELECT id, reserved_by FROM tickets WHERE id = ANY($2)
                        AND status = 'RESERVED' AND reserved_until <= $1 FOR UPDATE) lapsed
              WHERE t.id = lapsed.id RETURNING t.id, lapsed.reserved_by",
        )
        .bind(now)
        .bind(&locked)
        .fetch_all(&self.0.pool)
        .await;
        self.0.release(&locked, &token).await?;
        Ok(freed(rows?))
    }
}
// ANCHOR_END: keeps_the_cart

// ANCHOR: strict_deadline
/// `reserved_until < now` where checkout says a reservation is valid while
/// `now < reserved_until`: at the instant `now == reserved_until` checkout
/// refuses it and the sweeper keeps it, a ticket nobody can buy or free.
pub struct StrictDeadline(Parts);

impl Sweeper for StrictDeadline {
    fn new(pool: PgPool, conn: ConnectionManager, prefix: &str, clock: Clock) -> Self {
        StrictDeadline(Parts::new(pool, conn, prefix, clock))
    }

    async fn sweep(&self) -> Result<Vec<Freed>, BookingError> {
        let (now, token) = (self.0.clock.now_ms(), owner_token());
        let locked = self.0.lock_lapsed(now, &token).await?;
        let mut tx = self.0.pool.begin().await?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE tickets t SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
               FROM (SELECT id, reserved_by FROM tickets WHERE id = ANY($2)
                        AND status = 'RESERVED' AND reserved_until < $1 FOR UPDATE) lapsed
              WHERE t.id = lapsed.id RETURNING t.id, lapsed.reserved_by",
        )
        .bind(now)
        .bind(&locked)
        .fetch_all(&mut *tx)
        .await?;
        empty_carts(&mut tx, &rows).await?;
        tx.commit().await?;
        self.0.release(&locked, &token).await?;
        Ok(freed(rows))
    }
}
// ANCHOR_END: strict_deadline

// ANCHOR: no_lock
/// PostgreSQL's half is right: one transaction, the UPDATE decides, the
/// carts emptied. But it never takes the ticket's lock, "the database
/// decides anyway": it frees a ticket while a worker that holds the lock is
/// working on it, and the worker's promise (nobody else changes this ticket
/// until I let go) is broken behind its back.
pub struct NoLock(Parts);

impl Sweeper for NoLock {
    fn new(pool: PgPool, conn: ConnectionManager, prefix: &str, clock: Clock) -> Self {
        NoLock(Parts::new(pool, conn, prefix, clock))
    }

    async fn sweep(&self) -> Result<Vec<Freed>, BookingError> {
        let now = self.0.clock.now_ms();
        let lapsed = self.0.lapsed(now).await?;
        Ok(self.0.free(&lapsed, now).await?)
    }
}
// ANCHOR_END: no_lock

// ANCHOR: del_release
/// Each ticket locked as the worker does, and freed right; but the locks are
/// released with a plain DEL. A sweeper that stalled past its lock's expiry
/// (a long pass, a GC pause) deletes the lock a worker has taken since, and
/// a second worker walks in beside the first.
pub struct DelRelease(Parts);

impl Sweeper for DelRelease {
    fn new(pool: PgPool, conn: ConnectionManager, prefix: &str, clock: Clock) -> Self {
        DelRelease(Parts::new(pool, conn, prefix, clock))
    }

    async fn sweep(&self) -> Result<Vec<Freed>, BookingError> {
        let now = self.0.clock.now_ms();
        let locked = self.0.lock_lapsed(now, &owner_token()).await?;
        let freed = self.0.free(&locked, now).await;
        let mut conn = self.0.conn.clone();
        for id in &locked {
            let _: i64 = redis::cmd("DEL")
                .arg(lock_key(&self.0.prefix, *id))
                .query_async(&mut conn)
                .await?;
        }
        Ok(freed?)
    }
}
// ANCHOR_END: del_release
