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

use racecourse_03::reward::REWARD;
use racecourse_03::{Clock, DailyRewards, Granted, RewardError, Zone};
use sqlx::PgPool;
use std::sync::Arc;

pub struct PgDailyRewards {
    pool: PgPool,
    zone: Zone,
    clock: Arc<dyn Clock>,
}

impl DailyRewards for PgDailyRewards {
    fn new(pool: PgPool, zone: Zone, clock: Arc<dyn Clock>) -> Self {
        PgDailyRewards { pool, zone, clock }
    }

    async fn claim(&self, user: &str) -> Result<Granted, RewardError> {
        // Queries run on `&self.pool`; a transaction is `self.pool.begin().await?`.
        let _pool = &self.pool;
        let (_zone, _clock, _reward) = (&self.zone, &self.clock, REWARD);
        todo!("03.4 exercises/03-votes/src/reward.rs: PgDailyRewards::claim({user})")
    }
}
