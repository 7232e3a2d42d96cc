//! 03.5: coupon limits that look enforced.

use crate::coupon::{CouponError, Coupons, Redemption};
use crate::naive::coupon::{already, insert, limits};
use crate::think;
use sqlx::PgPool;

fn granted(id: i64, code: &str, redeemer: &str, uses_left: i32) -> Redemption {
    Redemption {
        id,
        code: code.to_string(),
        redeemer: redeemer.to_string(),
        uses_left,
    }
}

// ANCHOR: read_then_write
/// Reads `uses`, checks it against `max_uses`, and writes `uses = <read> + 1`
/// with the insert, in one transaction. At READ COMMITTED the read takes no
/// lock: 50 redeemers read 3, all pass the check, all write 4. The counter
/// loses their updates and the rows pile up past the limit.
pub struct ReadThenWrite {
    pool: PgPool,
}

impl Coupons for ReadThenWrite {
    fn new(pool: PgPool) -> Self {
        ReadThenWrite { pool }
    }

    async fn redeem(&self, code: &str, redeemer: &str) -> Result<Redemption, CouponError> {
        let mut tx = self.pool.begin().await?;
        let (max_uses, uses) = limits(&mut tx, code).await?;
        let id = insert(&mut tx, code, redeemer)
            .await?
            .ok_or_else(|| already(code, redeemer))?;
        if uses >= max_uses {
            return Err(CouponError::UsedUp(code.to_string()));
        }
        think().await;
        sqlx::query("UPDATE coupons SET uses = $2 WHERE code = $1")
            .bind(code)
            .bind(uses + 1)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(granted(id, code, redeemer, max_uses - uses - 1))
    }
}
// ANCHOR_END: read_then_write

// ANCHOR: no_transaction
/// The conditional UPDATE is right (`WHERE uses < max_uses`), and the row
/// insert has ON CONFLICT, but they are two statements committed apart: a
/// redeemer's second click spends a use, then finds its row there and is
/// told AlreadyRedeemed. Ten clicks of one user use the coupon up.
pub struct NoTransaction {
    pool: PgPool,
}

impl Coupons for NoTransaction {
    fn new(pool: PgPool) -> Self {
        NoTransaction { pool }
    }

    async fn redeem(&self, code: &str, redeemer: &str) -> Result<Redemption, CouponError> {
        let mut conn = self.pool.acquire().await?;
        let left: Option<i32> = sqlx::query_scalar(
            "UPDATE coupons SET uses = uses + 1 WHERE code = $1 AND uses < max_uses
             RETURNING max_uses - uses",
        )
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(left) = left else {
            limits(&mut conn, code).await?;
            return Err(CouponError::UsedUp(code.to_string()));
        };
        think().await;
        let id = insert(&mut conn, code, redeemer)
            .await?
            .ok_or_else(|| already(code, redeemer))?;
        Ok(granted(id, code, redeemer, left))
    }
}
// ANCHOR_END: no_transaction

// ANCHOR: off_by_one
/// One conditional UPDATE and the insert in one transaction, but the guard
/// is `WHERE uses <= max_uses`: off by one, checked after the increment in
/// the author's head. The 11th redeemer of a 10-use coupon gets in.
pub struct OffByOne {
    pool: PgPool,
}

impl Coupons for OffByOne {
    fn new(pool: PgPool) -> Self {
        OffByOne { pool }
    }

    async fn redeem(&self, code: &str, redeemer: &str) -> Result<Redemption, CouponError> {
        let mut tx = self.pool.begin().await?;
        let id = insert(&mut tx, code, redeemer).await;
        let id = match id {
            Ok(Some(id)) => id,
            Ok(None) => return Err(already(code, redeemer)),
            Err(CouponError::Db(e)) if crate::poll::is_foreign_key_violation(&e) => {
                return Err(CouponError::UnknownCoupon(code.to_string()));
            }
            Err(e) => return Err(e),
        };
        let left: Option<i32> = sqlx::query_scalar(
            "UPDATE coupons SET uses = uses + 1 WHERE code = $1 AND uses <= max_uses
             RETURNING max_uses - uses",
        )
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(left) = left else {
            return Err(CouponError::UsedUp(code.to_string()));
        };
        tx.commit().await?;
        Ok(granted(id, code, redeemer, left))
    }
}
// ANCHOR_END: off_by_one
