//! Exercise 07.3: the sweeper that returns lapsed reservations to sale. It
//! races checkout (07.4) for the same tickets: for each, exactly one may win.

use crate::clock::Clock;
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
    fn new(pool: PgPool, clock: Clock) -> Self;

    /// Frees every reservation whose `reserved_until` is at or before now:
    /// the ticket back to AVAILABLE (no owner, no deadline), its cart row gone.
    /// A reservation still valid, or a ticket sold meanwhile, is left alone.
    fn sweep(&self) -> impl Future<Output = sqlx::Result<Vec<Freed>>> + Send;
}
