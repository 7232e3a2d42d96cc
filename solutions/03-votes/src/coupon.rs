//! # 03.5 Coupons: single-use and N-use
//!
//! **The race.** Count the redemptions, then insert one if the count allows:
//! 200 redeemers count at once, all see 0 of 10, all redeem.
//!
//! **Your task.** One transaction, two statements. Insert the redemption
//! with `ON CONFLICT (code, redeemer) DO NOTHING RETURNING id`: no row means
//! this redeemer has one (`AlreadyRedeemed`). Then spend a use with one
//! conditional UPDATE, `SET uses = uses + 1 WHERE code = $1 AND uses <
//! max_uses RETURNING max_uses - uses`: the row lock makes every redeemer
//! re-check the condition on the latest row. No row back: the coupon is used
//! up (`UsedUp`; return, and the dropped transaction takes the insert back) or
//! does not exist (`UnknownCoupon`: the insert's foreign key, SQLSTATE 23503,
//! says so first).
//!
//! **The spec checks** each answer; that 200 redeemers of a 10-use coupon at
//! once get exactly 10 (and of a single-use one, 1), each told a different
//! number of uses left; and that one user's 50 clicks spend one use.
//!
//! Run `cargo xtask test 03.5`; stuck? `cargo xtask hint 03.5`. Needs PostgreSQL.

use racecourse_03::poll::is_foreign_key_violation;
use racecourse_03::{CouponError, Coupons, Redemption};
use sqlx::PgPool;

pub struct PgCoupons {
    pool: PgPool,
}

impl Coupons for PgCoupons {
    fn new(pool: PgPool) -> Self {
        PgCoupons { pool }
    }

    // ANCHOR: redeem
    async fn redeem(&self, code: &str, redeemer: &str) -> Result<Redemption, CouponError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO redemptions (code, redeemer) VALUES ($1, $2)
             ON CONFLICT (code, redeemer) DO NOTHING RETURNING id",
        )
        .bind(code)
        .bind(redeemer)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| match e {
            e if is_foreign_key_violation(&e) => CouponError::UnknownCoupon(code.to_string()),
            e => CouponError::Db(e),
        })?;
        let Some(id) = id else {
            return Err(CouponError::AlreadyRedeemed {
                code: code.to_string(),
                redeemer: redeemer.to_string(),
            });
        };
        let uses_left: Option<i32> = sqlx::query_scalar(
            "UPDATE coupons SET uses = uses + 1 WHERE code = $1 AND uses < max_uses
             RETURNING max_uses - uses",
        )
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(uses_left) = uses_left else {
            return Err(CouponError::UsedUp(code.to_string()));
        };
        tx.commit().await?;
        Ok(Redemption {
            id,
            code: code.to_string(),
            redeemer: redeemer.to_string(),
            uses_left,
        })
    }
    // ANCHOR_END: redeem
}
