//! Exercise 07.3: the sweeper that returns lapsed reservations to sale. It
//! races checkout (07.4) for the same tickets: for each, exactly one may win.
//! It changes who holds a ticket, as the worker (07.2) does, so it takes the
//! worker's lock on the ticket first.

use crate::clock::Clock;
use crate::tickets::BookingError;
use redis::aio::ConnectionManager;
use serde::Serialize;
use sqlx::PgPool;
use std::future::Future;

/// A reservation the sweeper ended: the ticket is AVAILABLE again and no
/// longer in `user`'s cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freed {
    pub ticket: i64,
    pub user: String,
}

/// The sweeper's one pass.
pub trait Sweeper: Send + Sync + 'static {
    /// Reservations lapse by `clock`; the tickets' locks live under `prefix`
    /// ([`crate::tickets::lock_key`], the worker's), for at most
    /// [`crate::tickets::LOCK_TTL`].
    fn new(pool: PgPool, conn: ConnectionManager, prefix: &str, clock: Clock) -> Self;

    /// Frees every reservation whose `reserved_until` is at or before now:
    /// the ticket back to AVAILABLE (no owner, no deadline), its cart row gone.
    /// A reservation still valid, or a ticket sold meanwhile, is left alone.
    /// Each ticket is freed under its lock, released only if still this
    /// sweeper's; a ticket whose lock another holds is left for the next pass.
    fn sweep(&self) -> impl Future<Output = Result<Vec<Freed>, BookingError>> + Send;
}
