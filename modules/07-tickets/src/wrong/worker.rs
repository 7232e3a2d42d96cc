//! 07.2's fixes that almost work.

use crate::clock::Clock;
use crate::naive::worker::write_reservation;
use crate::queue::Entry;
use crate::tickets::{BookingError, LOCK_TTL, lock_key, owner_token};
use crate::worker::{Outcome, Reserver};
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::time::Duration;

/// `SET key token NX [PX ms]`: whether the lock was taken. The sweeper's
/// fixes (07.3) take the same lock.
pub(crate) async fn take_lock(
    conn: &ConnectionManager,
    key: &str,
    token: &str,
    px: Option<Duration>,
) -> redis::RedisResult<bool> {
    let mut set = redis::cmd("SET");
    set.arg(key).arg(token).arg("NX");
    if let Some(px) = px {
        set.arg("PX").arg(px.as_millis() as u64);
    }
    let locked: Option<String> = set.query_async(&mut conn.clone()).await?;
    Ok(locked.is_some())
}

/// Deletes the lock if it still holds `token` (the right release).
pub(crate) async fn release_own(
    conn: &ConnectionManager,
    key: &str,
    token: &str,
) -> redis::RedisResult<()> {
    let _: i64 = redis::Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
    )
    .key(key)
    .arg(token)
    .invoke_async(&mut conn.clone())
    .await?;
    Ok(())
}

/// What every fix below shares: the pool, the lock's connection, the clock.
pub struct Parts {
    pool: PgPool,
    conn: ConnectionManager,
    prefix: String,
    clock: Clock,
    ttl: Duration,
}

impl Parts {
    fn new(
        pool: PgPool,
        conn: ConnectionManager,
        prefix: &str,
        clock: Clock,
        ttl: Duration,
    ) -> Parts {
        Parts {
            pool,
            conn,
            prefix: prefix.to_string(),
            clock,
            ttl,
        }
    }

    fn until(&self) -> i64 {
        self.clock.now_ms() + self.ttl.as_millis() as i64
    }

    /// The right step under the lock: reserve only if still IN_QUEUE.
    async fn reserve_if_queued(&self, entry: &Entry) -> Result<Outcome, BookingError> {
        let until = self.until();
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE tickets SET status = 'RESERVED', reserved_by = $2, reserved_until = $3
             WHERE id = $1 AND status = 'IN_QUEUE'",
        )
        .bind(entry.ticket)
        .bind(&entry.user)
        .bind(until)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
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

// ANCHOR: lock_only
/// The lock, with an owner token, an expiry and a safe release; but under it
/// the ticket is reserved without checking it is still IN_QUEUE, since "I
/// hold the lock". The lock orders the workers; it does not stop the second
/// from reserving what the first already reserved.
pub struct LockOnly(Parts);

impl Reserver for LockOnly {
    fn new(
        pool: PgPool,
        conn: ConnectionManager,
        prefix: &str,
        clock: Clock,
        ttl: Duration,
    ) -> Self {
        LockOnly(Parts::new(pool, conn, prefix, clock, ttl))
    }

    async fn reserve(&self, entry: &Entry) -> Result<Outcome, BookingError> {
        let key = lock_key(&self.0.prefix, entry.ticket);
        let token = owner_token();
        if !take_lock(&self.0.conn, &key, &token, Some(LOCK_TTL)).await? {
            return Ok(Outcome::Busy);
        }
        let outcome = write_reservation(&self.0.pool, entry, self.0.until()).await;
        release_own(&self.0.conn, &key, &token).await?;
        outcome
    }
}
// ANCHOR_END: lock_only

// ANCHOR: del_release
/// Right, except the release is a plain DEL. If this worker stalled past its
/// lock's expiry and another worker took the lock, the DEL frees the other's
/// lock, and a third worker walks in beside it.
pub struct DelRelease(Parts);

impl Reserver for DelRelease {
    fn new(
        pool: PgPool,
        conn: ConnectionManager,
        prefix: &str,
        clock: Clock,
        ttl: Duration,
    ) -> Self {
        DelRelease(Parts::new(pool, conn, prefix, clock, ttl))
    }

    async fn reserve(&self, entry: &Entry) -> Result<Outcome, BookingError> {
        let key = lock_key(&self.0.prefix, entry.ticket);
        if !take_lock(&self.0.conn, &key, &owner_token(), Some(LOCK_TTL)).await? {
            return Ok(Outcome::Busy);
        }
        let outcome = self.0.reserve_if_queued(entry).await;
        let mut conn = self.0.conn.clone();
        let _: i64 = redis::cmd("DEL").arg(&key).query_async(&mut conn).await?;
        outcome
    }
}
// ANCHOR_END: del_release

// ANCHOR: no_expiry
/// Right, except the lock has no expiry (SET NX without PX): a worker that
/// dies holding it, killed by a deploy between SET and release, blocks the
/// ticket for ever; every later request answers Busy.
pub struct NoExpiry(Parts);

impl Reserver for NoExpiry {
    fn new(
        pool: PgPool,
        conn: ConnectionManager,
        prefix: &str,
        clock: Clock,
        ttl: Duration,
    ) -> Self {
        NoExpiry(Parts::new(pool, conn, prefix, clock, ttl))
    }

    async fn reserve(&self, entry: &Entry) -> Result<Outcome, BookingError> {
        let key = lock_key(&self.0.prefix, entry.ticket);
        let token = owner_token();
        if !take_lock(&self.0.conn, &key, &token, None).await? {
            return Ok(Outcome::Busy);
        }
        let outcome = self.0.reserve_if_queued(entry).await;
        release_own(&self.0.conn, &key, &token).await?;
        outcome
    }
}
// ANCHOR_END: no_expiry
