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

use racecourse_03::{CouponError, Coupons, Redemption};
use sqlx::PgPool;

pub struct PgCoupons {
    pool: PgPool,
}

impl Coupons for PgCoupons {
    fn new(pool: PgPool) -> Self {
        PgCoupons { pool }
    }

    async fn redeem(&self, code: &str, redeemer: &str) -> Result<Redemption, CouponError> {
        // Queries run on `&self.pool`; a transaction is `self.pool.begin().await?`.
        let _pool = &self.pool;
        todo!("03.5 exercises/03-votes/src/coupon.rs: PgCoupons::redeem({code}, {redeemer})")
    }
}
