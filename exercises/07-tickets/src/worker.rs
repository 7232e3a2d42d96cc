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
use racecourse_07::tickets::BookingError;
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

    async fn reserve(&self, entry: &Entry) -> Result<Outcome, BookingError> {
        let (_pool, _conn, _clock) = (&self.pool, &self.conn, &self.clock);
        let (_prefix, _ttl) = (&self.prefix, self.ttl);
        todo!("07.2 exercises/07-tickets/src/worker.rs: LockingReserver::reserve({entry:?})")
    }
}
