//! The contract traits as trait objects, for the spec.
//!
//! The contract uses `async fn`-style methods (`-> impl Future`) and
//! constructors (`fn new() -> Self`), which a `dyn Trait` cannot have. The spec
//! is written against the object-safe twins below instead, so it is compiled
//! once, in this crate, and a test crate compiles only the blanket impls for its
//! own types (ARCHITECTURE.md, "Notes on speed"). The constructor functions are
//! what [`crate::spec!`] hands to the spec as `fn` pointers.

use crate::ballot::{Ballots, Cast};
use crate::coupon::{CouponError, Coupons, Redemption};
use crate::likes::Likes;
use crate::poll::{Polls, Vote, VoteError};
use crate::reward::{Clock, DailyRewards, Granted, RewardError, Zone};
use redis::RedisResult;
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A future on the heap, the only kind a trait object can return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`Polls`] as a trait object.
pub trait DynPolls: Send + Sync {
    fn vote<'a>(
        &'a self,
        poll: i64,
        option: i64,
        voter: &'a str,
    ) -> BoxFuture<'a, Result<Vote, VoteError>>;
}

impl<P: Polls> DynPolls for P {
    fn vote<'a>(
        &'a self,
        poll: i64,
        option: i64,
        voter: &'a str,
    ) -> BoxFuture<'a, Result<Vote, VoteError>> {
        Box::pin(Polls::vote(self, poll, option, voter))
    }
}

/// A `P` on this pool, for the spec of 03.1.
pub fn polls<P: Polls>(pool: PgPool) -> Arc<dyn DynPolls> {
    Arc::new(P::new(pool))
}

/// [`Ballots`] as a trait object.
pub trait DynBallots: Send + Sync {
    fn cast<'a>(
        &'a self,
        poll: i64,
        option: i64,
        voter: &'a str,
    ) -> BoxFuture<'a, Result<Cast, VoteError>>;
}

impl<B: Ballots> DynBallots for B {
    fn cast<'a>(
        &'a self,
        poll: i64,
        option: i64,
        voter: &'a str,
    ) -> BoxFuture<'a, Result<Cast, VoteError>> {
        Box::pin(Ballots::cast(self, poll, option, voter))
    }
}

/// A `B` on this pool, for the spec of 03.2.
pub fn ballots<B: Ballots>(pool: PgPool) -> Arc<dyn DynBallots> {
    Arc::new(B::new(pool))
}

/// [`Likes`] as a trait object.
pub trait DynLikes: Send + Sync {
    fn like<'a>(&'a self, post: &'a str, user: &'a str) -> BoxFuture<'a, RedisResult<i64>>;
    fn unlike<'a>(&'a self, post: &'a str, user: &'a str) -> BoxFuture<'a, RedisResult<i64>>;
    fn count<'a>(&'a self, post: &'a str) -> BoxFuture<'a, RedisResult<i64>>;
}

impl<L: Likes> DynLikes for L {
    fn like<'a>(&'a self, post: &'a str, user: &'a str) -> BoxFuture<'a, RedisResult<i64>> {
        Box::pin(Likes::like(self, post, user))
    }
    fn unlike<'a>(&'a self, post: &'a str, user: &'a str) -> BoxFuture<'a, RedisResult<i64>> {
        Box::pin(Likes::unlike(self, post, user))
    }
    fn count<'a>(&'a self, post: &'a str) -> BoxFuture<'a, RedisResult<i64>> {
        Box::pin(Likes::count(self, post))
    }
}

/// An `L` on this connection, under this key prefix, for the spec of 03.3.
pub fn likes<L: Likes>(conn: ConnectionManager, prefix: String) -> Arc<dyn DynLikes> {
    Arc::new(L::new(conn, prefix))
}

/// [`DailyRewards`] as a trait object.
pub trait DynDailyRewards: Send + Sync {
    fn claim<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<Granted, RewardError>>;
}

impl<R: DailyRewards> DynDailyRewards for R {
    fn claim<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<Granted, RewardError>> {
        Box::pin(DailyRewards::claim(self, user))
    }
}

/// An `R` on this pool, in this zone, on this clock, for the spec of 03.4.
pub fn daily_rewards<R: DailyRewards>(
    pool: PgPool,
    zone: Zone,
    clock: Arc<dyn Clock>,
) -> Arc<dyn DynDailyRewards> {
    Arc::new(R::new(pool, zone, clock))
}

/// [`Coupons`] as a trait object.
pub trait DynCoupons: Send + Sync {
    fn redeem<'a>(
        &'a self,
        code: &'a str,
        redeemer: &'a str,
    ) -> BoxFuture<'a, Result<Redemption, CouponError>>;
}

impl<C: Coupons> DynCoupons for C {
    fn redeem<'a>(
        &'a self,
        code: &'a str,
        redeemer: &'a str,
    ) -> BoxFuture<'a, Result<Redemption, CouponError>> {
        Box::pin(Coupons::redeem(self, code, redeemer))
    }
}

/// A `C` on this pool, for the spec of 03.5.
pub fn coupons<C: Coupons>(pool: PgPool) -> Arc<dyn DynCoupons> {
    Arc::new(C::new(pool))
}
