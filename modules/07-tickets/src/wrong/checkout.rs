//! 07.4's fixes that almost work. They share the right steps ([`Steps`]:
//! read the cart, check every reservation, sell); each gets one thing wrong
//! in how they hold together: no lock, no transaction, no deadline, or a
//! commit too early.

use crate::checkout::{Checkout, CheckoutError, Order};
use crate::clock::Clock;
use crate::naive::checkout::sell;
use crate::think;
use sqlx::{PgConnection, PgPool};

/// A cart row with what checkout needs to judge it: id, price, status,
/// owner, deadline.
type Row = (i64, i64, String, Option<String>, Option<i64>);

/// The user's cart, with what checkout needs to judge it.
macro_rules! cart {
    () => {
        "SELECT t.id, t.price, t.status, t.reserved_by, t.reserved_until
           FROM cart_items c JOIN tickets t ON t.id = c.ticket_id
          WHERE c.user_id = $1 ORDER BY t.id"
    };
}

/// A plain read.
const CART: &str = cart!();
/// The cart's tickets locked until the transaction ends.
const CART_LOCKED: &str = concat!(cart!(), " FOR UPDATE OF t");

/// The pool, the clock, and the steps the wrong fixes below get right.
struct Steps {
    pool: PgPool,
    clock: Clock,
}

impl Steps {
    /// The user's cart read with `sql` ([`CART`] or [`CART_LOCKED`]); an
    /// empty cart is refused.
    async fn cart(
        conn: &mut PgConnection,
        sql: &'static str,
        user: &str,
    ) -> Result<Vec<Row>, CheckoutError> {
        let cart: Vec<Row> = sqlx::query_as(sql).bind(user).fetch_all(conn).await?;
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        Ok(cart)
    }

    /// Refuses the cart if any ticket's reservation is not `user`'s, or no
    /// longer valid at `now`.
    fn check(cart: &[Row], user: &str, now: i64) -> Result<(), CheckoutError> {
        let expired: Vec<i64> = cart
            .iter()
            .filter(|(_, _, status, by, until)| {
                status != "RESERVED"
                    || by.as_deref() != Some(user)
                    || until.is_none_or(|u| now >= u)
            })
            .map(|(id, ..)| *id)
            .collect();
        if expired.is_empty() {
            Ok(())
        } else {
            Err(CheckoutError::Expired(expired))
        }
    }

    /// Marks `ids` SOLD on `conn` where each is still `user`'s and valid at
    /// `now`, so that no freed ticket is sold: whether every one was.
    async fn mark_sold(
        conn: &mut PgConnection,
        ids: &[i64],
        user: &str,
        now: i64,
    ) -> sqlx::Result<bool> {
        let sold = sqlx::query(
            "UPDATE tickets SET status = 'SOLD' WHERE id = ANY($1) AND status = 'RESERVED'
               AND reserved_by = $2 AND reserved_until > $3",
        )
        .bind(ids)
        .bind(user)
        .bind(now)
        .execute(conn)
        .await?;
        Ok(sold.rows_affected() == ids.len() as u64)
    }

    /// The order, its items and SOLD for `cart`, on `conn`.
    async fn sell(
        conn: &mut PgConnection,
        user: &str,
        cart: &[Row],
        now: i64,
    ) -> Result<Order, CheckoutError> {
        let tickets: Vec<(i64, i64)> = cart.iter().map(|(id, price, ..)| (*id, *price)).collect();
        sell(conn, user, &tickets, now).await
    }
}

// ANCHOR: check_then_sell
/// Every reservation checked, then the sale: but the check is a plain read.
/// The sweeper frees a ticket after the check and before the UPDATE, and the
/// UPDATE, with no condition, sells it anyway.
pub struct CheckThenSell(Steps);

impl Checkout for CheckThenSell {
    fn new(pool: PgPool, clock: Clock) -> Self {
        CheckThenSell(Steps { pool, clock })
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.0.clock.now_ms();
        let cart = Steps::cart(&mut *self.0.pool.acquire().await?, CART, user).await?;
        Steps::check(&cart, user, now)?;
        think().await;
        Steps::sell(&mut *self.0.pool.acquire().await?, user, &cart, now).await
    }
}
// ANCHOR_END: check_then_sell

// ANCHOR: no_transaction
/// Each ticket sold with a conditional UPDATE (so a freed ticket is never
/// sold), but each in its own statement: when the second ticket's reservation
/// has lapsed, the first is already SOLD, half an order with no order row.
pub struct NoTransaction(Steps);

impl Checkout for NoTransaction {
    fn new(pool: PgPool, clock: Clock) -> Self {
        NoTransaction(Steps { pool, clock })
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.0.clock.now_ms();
        let cart = Steps::cart(&mut *self.0.pool.acquire().await?, CART, user).await?;
        for (id, ..) in &cart {
            let mut conn = self.0.pool.acquire().await?;
            if !Steps::mark_sold(&mut conn, &[*id], user, now).await? {
                return Err(CheckoutError::Expired(vec![*id]));
            }
        }
        Steps::sell(&mut *self.0.pool.acquire().await?, user, &cart, now).await
    }
}
// ANCHOR_END: no_transaction

// ANCHOR: ignores_deadline
/// Locked and in one transaction, the owner and the status checked; but not
/// the deadline. Until the sweeper's next pass, a lapsed reservation sells.
pub struct IgnoresDeadline(Steps);

impl Checkout for IgnoresDeadline {
    fn new(pool: PgPool, clock: Clock) -> Self {
        IgnoresDeadline(Steps { pool, clock })
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.0.clock.now_ms();
        let mut tx = self.0.pool.begin().await?;
        let cart = Steps::cart(&mut tx, CART_LOCKED, user).await?;
        // Checked as at the beginning of time: no deadline has passed.
        Steps::check(&cart, user, i64::MIN)?;
        let order = Steps::sell(&mut tx, user, &cart, now).await?;
        tx.commit().await?;
        Ok(order)
    }
}
// ANCHOR_END: ignores_deadline

// ANCHOR: locks_then_commits
/// The cart checked under `FOR UPDATE` in a transaction of its own, which
/// then commits, so its locks end with the check: the first step of this
/// wrong fix and of `SoldBeforeOrder`.
async fn checked_and_committed(
    pool: &PgPool,
    user: &str,
    now: i64,
) -> Result<Vec<Row>, CheckoutError> {
    let mut tx = pool.begin().await?;
    let cart = Steps::cart(&mut tx, CART_LOCKED, user).await?;
    Steps::check(&cart, user, now)?;
    tx.commit().await?;
    Ok(cart)
}

/// Every rule checked under `FOR UPDATE`, then the transaction committed and
/// the sale written after it: the locks end with the check, and the sweeper
/// frees a ticket in the gap before the unconditional UPDATE sells it.
pub struct LocksThenCommits(Steps);

impl Checkout for LocksThenCommits {
    fn new(pool: PgPool, clock: Clock) -> Self {
        LocksThenCommits(Steps { pool, clock })
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.0.clock.now_ms();
        let cart = checked_and_committed(&self.0.pool, user, now).await?;
        Steps::sell(&mut *self.0.pool.acquire().await?, user, &cart, now).await
    }
}
// ANCHOR_END: locks_then_commits

// ANCHOR: sold_before_order
/// Checked under `FOR UPDATE` and committed; then the tickets marked SOLD in a
/// second transaction, conditionally, so a ticket freed in the gap is never
/// sold; then the order written in a third. Between the second and the
/// third the tickets are SOLD and no order holds them: the sweeper, the page
/// and a second checkout of the same cart see seats sold to nobody, and if
/// the process dies there (or the order's INSERT fails), they stay so.
pub struct SoldBeforeOrder(Steps);

impl Checkout for SoldBeforeOrder {
    fn new(pool: PgPool, clock: Clock) -> Self {
        SoldBeforeOrder(Steps { pool, clock })
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.0.clock.now_ms();
        let cart = checked_and_committed(&self.0.pool, user, now).await?;
        let ids: Vec<i64> = cart.iter().map(|(id, ..)| *id).collect();
        let mut mark = self.0.pool.begin().await?;
        if !Steps::mark_sold(&mut mark, &ids, user, now).await? {
            return Err(CheckoutError::Expired(ids));
        }
        mark.commit().await?;
        let mut order = self.0.pool.begin().await?;
        let sale = Steps::sell(&mut order, user, &cart, now).await?;
        order.commit().await?;
        Ok(sale)
    }
}
// ANCHOR_END: sold_before_order
