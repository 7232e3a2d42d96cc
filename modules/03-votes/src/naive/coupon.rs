//! 03.5, naive: count the redemptions, and insert one if the count allows.

use crate::coupon::{CouponError, Coupons, Redemption};
use crate::think;
use sqlx::{PgConnection, PgPool};

/// The coupon's `(max_uses, uses)`, or `UnknownCoupon`.
pub(crate) async fn limits(conn: &mut PgConnection, code: &str) -> Result<(i32, i32), CouponError> {
    sqlx::query_as("SELECT max_uses, uses FROM coupons WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| CouponError::UnknownCoupon(code.to_string()))
}

/// Inserts the redemption row; `None` if the redeemer has one already.
pub(crate) async fn insert(
    conn: &mut PgConnection,
    code: &str,
    redeemer: &str,
) -> Result<Option<i64>, CouponError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO redemptions (code, redeemer) VALUES ($1, $2)
         ON CONFLICT (code, redeemer) DO NOTHING RETURNING id",
    )
    .bind(code)
    .bind(redeemer)
    .fetch_optional(conn)
    .await?)
}

pub(crate) fn already(code: &str, redeemer: &str) -> CouponError {
    CouponError::AlreadyRedeemed {
        code: code.to_string(),
        redeemer: redeemer.to_string(),
    }
}

// ANCHOR: naive
/// Counts the coupon's redemptions and the redeemer's, then inserts and bumps
/// `uses`. 200 redeemers count at once, all see 0 of 10, and all of them
/// redeem.
pub struct CountThenInsert {
    pool: PgPool,
}

impl Coupons for CountThenInsert {
    fn new(pool: PgPool) -> Self {
        CountThenInsert { pool }
    }

    async fn redeem(&self, code: &str, redeemer: &str) -> Result<Redemption, CouponError> {
        let (max_uses, _) = limits(&mut *self.pool.acquire().await?, code).await?;
        let (used, mine): (i64, i64) = sqlx::query_as(
            "SELECT count(*), count(*) FILTER (WHERE redeemer = $2) FROM redemptions WHERE code = $1",
        )
        .bind(code)
        .bind(redeemer)
        .fetch_one(&self.pool)
        .await?;
        if mine > 0 {
            return Err(already(code, redeemer));
        }
        if used >= i64::from(max_uses) {
            return Err(CouponError::UsedUp(code.to_string()));
        }
        think().await;
        let id = insert(&mut *self.pool.acquire().await?, code, redeemer)
            .await?
            .ok_or_else(|| already(code, redeemer))?;
        sqlx::query("UPDATE coupons SET uses = uses + 1 WHERE code = $1")
            .bind(code)
            .execute(&self.pool)
            .await?;
        Ok(Redemption {
            id,
            code: code.to_string(),
            redeemer: redeemer.to_string(),
            uses_left: max_uses - used as i32 - 1,
        })
    }
}
// ANCHOR_END: naive
