//! 03.4, naive: look for today's claim, credit the wallet, record the claim.

use crate::reward::{Clock, DAY, DailyRewards, Granted, REWARD, RewardError, Zone};
use crate::think;
use sqlx::{PgConnection, PgPool};
use std::sync::Arc;

/// The local calendar day of the instant `utc`, in days since 1970-01-01.
pub(crate) fn local_day(zone: &Zone, utc: i64) -> i64 {
    (utc + i64::from(zone.offset_at(utc))).div_euclid(DAY)
}

/// The instant the local day after `utc`'s begins, at the offset in force
/// then (which a change of offset makes differ from the one now).
pub(crate) fn next_midnight(zone: &Zone, utc: i64) -> i64 {
    let midnight = (local_day(zone, utc) + 1) * DAY;
    let guess = midnight - i64::from(zone.offset_at(utc));
    midnight - i64::from(zone.offset_at(guess))
}

/// Credits the reward to `user`'s wallet (made on the first claim); returns
/// the new balance.
pub(crate) async fn credit(conn: &mut PgConnection, user: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO wallets (user_id, coins) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET coins = wallets.coins + EXCLUDED.coins
         RETURNING coins",
    )
    .bind(user)
    .bind(REWARD)
    .fetch_one(conn)
    .await
}

// ANCHOR: naive
/// Looks for today's claim, credits the wallet, then records the claim. Two
/// claims at once both find none and both credit the wallet; the primary key
/// refuses the second claim row only after its coins were paid.
pub struct CheckThenCredit {
    pool: PgPool,
    zone: Zone,
    clock: Arc<dyn Clock>,
}

impl DailyRewards for CheckThenCredit {
    fn new(pool: PgPool, zone: Zone, clock: Arc<dyn Clock>) -> Self {
        CheckThenCredit { pool, zone, clock }
    }

    async fn claim(&self, user: &str) -> Result<Granted, RewardError> {
        let now = self.clock.now();
        let day = local_day(&self.zone, now);
        let mut conn = self.pool.acquire().await?;
        let claimed: Option<i64> =
            sqlx::query_scalar("SELECT day FROM reward_claims WHERE user_id = $1 AND day = $2")
                .bind(user)
                .bind(day)
                .fetch_optional(&mut *conn)
                .await?;
        if claimed.is_some() {
            let retry_after = (next_midnight(&self.zone, now) - now) as u64;
            return Err(RewardError::AlreadyClaimed { retry_after });
        }
        think().await;
        let balance = credit(&mut conn, user).await?;
        sqlx::query("INSERT INTO reward_claims (user_id, day, claimed_at) VALUES ($1, $2, $3)")
            .bind(user)
            .bind(day)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        Ok(Granted { day, balance })
    }
}
// ANCHOR_END: naive
