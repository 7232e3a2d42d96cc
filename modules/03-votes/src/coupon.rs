//! Exercise 03.5: coupons that can be redeemed `max_uses` times (once for a
//! single-use coupon), at most once per user.

use sqlx::PgPool;
use std::future::Future;

/// A redemption that was granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub id: i64,
    pub code: String,
    pub redeemer: String,
    /// How many more times the coupon can be redeemed.
    pub uses_left: i32,
}

#[derive(Debug, thiserror::Error)]
pub enum CouponError {
    #[error("no coupon {0}")]
    UnknownCoupon(String),
    #[error("coupon {0} has been used up")]
    UsedUp(String),
    /// The redeemer has redeemed this coupon already (whether or not it is
    /// used up since).
    #[error("{redeemer} has redeemed coupon {code} already")]
    AlreadyRedeemed { code: String, redeemer: String },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

pub trait Coupons: Send + Sync + 'static {
    fn new(pool: PgPool) -> Self
    where
        Self: Sized;

    /// Redeems `code` for `redeemer`: one more use, never past `max_uses`,
    /// and one redemption row, in one transaction.
    fn redeem(
        &self,
        code: &str,
        redeemer: &str,
    ) -> impl Future<Output = Result<Redemption, CouponError>> + Send;
}

/// A new coupon that can be redeemed `max_uses` times.
pub async fn create_coupon(pool: &PgPool, code: &str, max_uses: i32) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO coupons (code, max_uses) VALUES ($1, $2)")
        .bind(code)
        .bind(max_uses)
        .execute(pool)
        .await?;
    Ok(())
}

/// A coupon's `max_uses`, `uses`, and the redemption rows it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CouponState {
    pub max_uses: i32,
    pub uses: i32,
    pub redemptions: i64,
}

pub async fn coupon_state(pool: &PgPool, code: &str) -> sqlx::Result<CouponState> {
    let (max_uses, uses, redemptions) = sqlx::query_as(
        "SELECT max_uses, uses, (SELECT count(*) FROM redemptions r WHERE r.code = c.code)
           FROM coupons c WHERE code = $1",
    )
    .bind(code)
    .fetch_one(pool)
    .await?;
    Ok(CouponState {
        max_uses,
        uses,
        redemptions,
    })
}
