//! # 03.4 Daily reward: once per user per local calendar day
//!
//! **The race.** Look for today's claim, credit the wallet, record the claim:
//! two claims at once both find none and both pay. And the calendar: "today"
//! is the day in the service's time zone, not in UTC, and a local day is 23
//! or 25 hours long when the UTC offset changes.
//!
//! **Your task.** The local day of `now` is
//! `(now + zone.offset_at(now)).div_euclid(DAY)`. One transaction: insert the
//! claim with `ON CONFLICT (user_id, day) DO NOTHING`, and only if it
//! inserted, credit `REWARD` coins (an upsert on `wallets` returning the
//! coins). If it inserted nothing, answer `AlreadyClaimed` with the seconds
//! until the next local midnight: `(day + 1) * DAY` local is
//! `(day + 1) * DAY - offset` in UTC, with the offset in force at that
//! midnight, not now.
//!
//! **The spec checks** the day boundary east and west of UTC, to the second;
//! Retry-After on the days clocks go forward and back; 100 claims at once
//! paying once, five days running; and the 429 with `Retry-After` over HTTP.
//!
//! Run `cargo xtask test 03.4`; stuck? `cargo xtask hint 03.4`. Needs PostgreSQL.

use racecourse_03::reward::{DAY, REWARD};
use racecourse_03::{Clock, DailyRewards, Granted, RewardError, Zone};
use sqlx::PgPool;
use std::sync::Arc;

pub struct PgDailyRewards {
    pool: PgPool,
    zone: Zone,
    clock: Arc<dyn Clock>,
}

// ANCHOR: calendar
/// The local calendar day of the instant `utc`, in days since 1970-01-01.
fn local_day(zone: &Zone, utc: i64) -> i64 {
    (utc + i64::from(zone.offset_at(utc))).div_euclid(DAY)
}

/// The instant the next local day begins. Its offset is the one in force at
/// that midnight: a first guess with today's offset, then the offset at the
/// guess.
fn next_midnight(zone: &Zone, utc: i64) -> i64 {
    let midnight = (local_day(zone, utc) + 1) * DAY;
    let guess = midnight - i64::from(zone.offset_at(utc));
    midnight - i64::from(zone.offset_at(guess))
}
// ANCHOR_END: calendar

impl DailyRewards for PgDailyRewards {
    fn new(pool: PgPool, zone: Zone, clock: Arc<dyn Clock>) -> Self {
        PgDailyRewards { pool, zone, clock }
    }

    // ANCHOR: claim
    async fn claim(&self, user: &str) -> Result<Granted, RewardError> {
        let now = self.clock.now();
        let day = local_day(&self.zone, now);
        let mut tx = self.pool.begin().await?;
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
            let retry_after = (next_midnight(&self.zone, now) - now) as u64;
            return Err(RewardError::AlreadyClaimed { retry_after });
        }
        let balance: i64 = sqlx::query_scalar(
            "INSERT INTO wallets (user_id, coins) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET coins = wallets.coins + EXCLUDED.coins
             RETURNING coins",
        )
        .bind(user)
        .bind(REWARD)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Granted { day, balance })
    }
    // ANCHOR_END: claim
}
