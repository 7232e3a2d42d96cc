//! # 07.2 The worker: lock, check, reserve (Redis + PostgreSQL)
//!
//! **The race.** Ten fans queued for seat A1 and two workers serve the line.
//! A worker that reads "IN_QUEUE" and then writes "RESERVED" gives the seat
//! to two of them; one that trusts its lock and skips the check gives it to
//! every later request too; one that releases with a plain `DEL` frees a lock
//! that, after its own expired, belongs to another worker.
//!
//! **Your task.** Lock the ticket: `SET lock_key <owner_token()> NX PX
//! <LOCK_TTL>`; no lock is `Busy`. Under it, in one transaction, `UPDATE
//! tickets SET status = 'RESERVED', reserved_by, reserved_until = now + ttl
//! WHERE id = $1 AND status = 'IN_QUEUE'`; no row is `Lost`; else insert the
//! cart row. Release the lock only if it is still yours (a Lua script that
//! compares the token and deletes).
//!
//! **The spec checks**: 20 workers at once for one ticket reserve it for one
//! user, in one cart, and a later request loses (five rounds); the
//! reservation lasts the configured TTL by the injected clock; a worker whose
//! lock expired and was taken by another leaves the other's lock alone, and
//! its own lock had an expiry.
//!
//! Run `cargo xtask test 07.2`; stuck? `cargo xtask hint 07.2`.

use racecourse_07::clock::Clock;
use racecourse_07::queue::Entry;
use racecourse_07::tickets::{BookingError, LOCK_TTL, lock_key, owner_token};
use racecourse_07::worker::{Outcome, Reserver};
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::time::Duration;

pub struct LockingReserver {
    pool: PgPool,
    conn: ConnectionManager,
    prefix: String,
    clock: Clock,
    ttl: Duration,
}

/// Deletes the lock only if it still holds our token: one command, no gap.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

impl LockingReserver {
    /// Under the lock: reserve the ticket if it is still IN_QUEUE.
    async fn reserve_locked(&self, entry: &Entry) -> Result<Outcome, BookingError> {
        let until = self.clock.now_ms() + self.ttl.as_millis() as i64;
        let mut tx = self.pool.begin().await?;
        let reserved = sqlx::query(
            "UPDATE tickets SET status = 'RESERVED', reserved_by = $2, reserved_until = $3
             WHERE id = $1 AND status = 'IN_QUEUE'",
        )
        .bind(entry.ticket)
        .bind(&entry.user)
        .bind(until)
        .execute(&mut *tx)
        .await?;
        if reserved.rows_affected() == 0 {
            return Ok(Outcome::Lost);
        }
        sqlx::query("INSERT INTO cart_items (user_id, ticket_id, expires_at) VALUES ($1, $2, $3)")
            .bind(&entry.user)
            .bind(entry.ticket)
            .bind(until)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Outcome::Reserved { until_ms: until })
    }
}

impl Reserver for LockingReserver {
    fn new(
        pool: PgPool,
        conn: ConnectionManager,
        prefix: &str,
        clock: Clock,
        ttl: Duration,
    ) -> Self {
        LockingReserver {
            pool,
            conn,
            prefix: prefix.to_string(),
            clock,
            ttl,
        }
    }

    // ANCHOR: reserve
    async fn reserve(&self, entry: &Entry) -> Result<Outcome, BookingError> {
        let mut conn = self.conn.clone();
        let key = lock_key(&self.prefix, entry.ticket);
        let token = owner_token();
        let locked: Option<String> = redis::cmd("SET")
            .arg(&key)
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(LOCK_TTL.as_millis() as u64)
            .query_async(&mut conn)
            .await?;
        if locked.is_none() {
            return Ok(Outcome::Busy);
        }
        let outcome = self.reserve_locked(entry).await;
        let _: i64 = redis::Script::new(RELEASE)
            .key(&key)
            .arg(&token)
            .invoke_async(&mut conn)
            .await?;
        outcome
    }
    // ANCHOR_END: reserve
}
