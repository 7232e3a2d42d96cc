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
use racecourse_07::tickets::BookingError;
use redis::aio::ConnectionManager;
use sqlx::PgPool;

pub struct PgSweeper {
    pool: PgPool,
    conn: ConnectionManager,
    prefix: String,
    clock: Clock,
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

    async fn sweep(&self) -> Result<Vec<Freed>, BookingError> {
        let (_pool, _conn, _prefix, _clock) = (&self.pool, &self.conn, &self.prefix, &self.clock);
        todo!("07.3 exercises/07-tickets/src/sweeper.rs: PgSweeper::sweep")
    }
}
