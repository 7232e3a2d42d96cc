//! 07.2, naive: read the status, then write the reservation; no lock.

use crate::clock::Clock;
use crate::queue::Entry;
use crate::think;
use crate::tickets::{self, BookingError, Status};
use crate::worker::{Outcome, Reserver};
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::time::Duration;

/// Two workers that both read IN_QUEUE both reserve: the ticket ends in two carts.
pub struct ReadThenWrite {
    pub(crate) pool: PgPool,
    pub(crate) clock: Clock,
    pub(crate) ttl: Duration,
}

/// Writes the reservation and the cart row, with no condition.
pub(crate) async fn write_reservation(
    pool: &PgPool,
    entry: &Entry,
    until: i64,
) -> Result<Outcome, BookingError> {
    tickets::reserve_directly(pool, entry.ticket, &entry.user, until).await?;
    Ok(Outcome::Reserved { until_ms: until })
}

impl Reserver for ReadThenWrite {
    fn new(
        pool: PgPool,
        _conn: ConnectionManager,
        _prefix: &str,
        clock: Clock,
        ttl: Duration,
    ) -> Self {
        ReadThenWrite { pool, clock, ttl }
    }

    // ANCHOR: naive
    async fn reserve(&self, entry: &Entry) -> Result<Outcome, BookingError> {
        let row = tickets::ticket(&self.pool, entry.ticket).await?;
        if row.map(|t| t.status) != Some(Status::InQueue) {
            return Ok(Outcome::Lost);
        }
        think().await;
        let until = self.clock.now_ms() + self.ttl.as_millis() as i64;
        write_reservation(&self.pool, entry, until).await
    }
    // ANCHOR_END: naive
}
