//! 03.4: daily rewards with the race fixed and the calendar wrong.

use crate::naive::reward::{credit, local_day, next_midnight};
use crate::reward::{Clock, DAY, DailyRewards, Granted, RewardError, Zone};
use sqlx::PgPool;
use std::sync::Arc;

/// The claim day and the next day's first instant, for the instant `now`.
type Calendar = fn(&Zone, i64) -> (i64, i64);

/// The right claim (insert with ON CONFLICT DO NOTHING, credit only if it
/// inserted, one transaction) on the calendar it is given.
async fn claim(
    pool: &PgPool,
    calendar: Calendar,
    zone: &Zone,
    now: i64,
    user: &str,
) -> Result<Granted, RewardError> {
    let (day, next) = calendar(zone, now);
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO reward_claims (user_id, day, claimed_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, day) DO NOTHING",
    )
    .bind(user)
    .bind(day)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Err(RewardError::AlreadyClaimed {
            retry_after: (next - now) as u64,
        });
    }
    let balance = credit(&mut tx, user).await?;
    tx.commit().await?;
    Ok(Granted { day, balance })
}

// ANCHOR: utc_day
/// Days counted in UTC: `now / 86400`. West of Greenwich the UTC day begins
/// in the local evening, so a user can claim at 18:00 and again at 20:00; and
/// Retry-After counts to UTC midnight, not the user's.
fn utc_day(_zone: &Zone, now: i64) -> (i64, i64) {
    let day = now.div_euclid(DAY);
    (day, (day + 1) * DAY)
}
// ANCHOR_END: utc_day

// ANCHOR: offset_of_now
/// The local day is right, but the next midnight is computed with the offset
/// in force now: `(day + 1) * 86400 - offset_at(now)`. On the two days a
/// year the offset changes before that midnight, Retry-After is an hour off.
fn offset_of_now(zone: &Zone, now: i64) -> (i64, i64) {
    let day = local_day(zone, now);
    (day, (day + 1) * DAY - i64::from(zone.offset_at(now)))
}
// ANCHOR_END: offset_of_now

/// The right calendar, for a wrong fix that only races.
fn local(zone: &Zone, now: i64) -> (i64, i64) {
    (local_day(zone, now), next_midnight(zone, now))
}

/// Implements the contract with the right claim on `$calendar`.
macro_rules! rewards {
    ($(#[$doc:meta])* $name:ident, $calendar:expr) => {
        $(#[$doc])*
        pub struct $name {
            pool: PgPool,
            zone: Zone,
            clock: Arc<dyn Clock>,
        }

        impl DailyRewards for $name {
            fn new(pool: PgPool, zone: Zone, clock: Arc<dyn Clock>) -> Self {
                $name { pool, zone, clock }
            }
            async fn claim(&self, user: &str) -> Result<Granted, RewardError> {
                claim(&self.pool, $calendar, &self.zone, self.clock.now(), user).await
            }
        }
    };
}

rewards!(
    /// The right claim, on UTC days ([`utc_day`]).
    UtcDay,
    utc_day
);
rewards!(
    /// The right claim, with the next midnight at today's offset ([`offset_of_now`]).
    OffsetOfNow,
    offset_of_now
);

// ANCHOR: credit_then_insert
/// The right calendar, and the claim row inserted with ON CONFLICT DO
/// NOTHING, but after the credit, each statement committed on its own: every
/// duplicate claim pays first and is told AlreadyClaimed after. The answers
/// are right; the wallet is not.
pub struct CreditThenInsert {
    pool: PgPool,
    zone: Zone,
    clock: Arc<dyn Clock>,
}

impl DailyRewards for CreditThenInsert {
    fn new(pool: PgPool, zone: Zone, clock: Arc<dyn Clock>) -> Self {
        CreditThenInsert { pool, zone, clock }
    }

    async fn claim(&self, user: &str) -> Result<Granted, RewardError> {
        let now = self.clock.now();
        let (day, next) = local(&self.zone, now);
        let mut conn = self.pool.acquire().await?;
        let balance = credit(&mut conn, user).await?;
        let inserted = sqlx::query(
            "INSERT INTO reward_claims (user_id, day, claimed_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, day) DO NOTHING",
        )
        .bind(user)
        .bind(day)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            Ok(Granted { day, balance })
        } else {
            Err(RewardError::AlreadyClaimed {
                retry_after: (next - now) as u64,
            })
        }
    }
}
// ANCHOR_END: credit_then_insert
