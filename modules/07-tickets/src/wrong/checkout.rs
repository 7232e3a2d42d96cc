//! 07.4's fixes that almost work.

use crate::checkout::{Checkout, CheckoutError, Order};
use crate::clock::Clock;
use crate::naive::checkout::sell;
use crate::think;
use sqlx::PgPool;

/// A cart row with what checkout needs to judge it.
type Row = (i64, i64, String, Option<String>, Option<i64>);

const CART: &str = "SELECT t.id, t.price, t.status, t.reserved_by, t.reserved_until
                      FROM cart_items c JOIN tickets t ON t.id = c.ticket_id
                     WHERE c.user_id = $1 ORDER BY t.id";

const CART_LOCKED: &str = "SELECT t.id, t.price, t.status, t.reserved_by, t.reserved_until
                             FROM cart_items c JOIN tickets t ON t.id = c.ticket_id
                            WHERE c.user_id = $1 ORDER BY t.id FOR UPDATE OF t";

/// The tickets of `cart` whose reservation is not `user`'s and valid at `now`.
fn not_valid(cart: &[Row], user: &str, now: i64) -> Vec<i64> {
    cart.iter()
        .filter(|(_, _, status, by, until)| {
            status != "RESERVED" || by.as_deref() != Some(user) || until.is_none_or(|u| now >= u)
        })
        .map(|(id, ..)| *id)
        .collect()
}

// ANCHOR: check_then_sell
/// Every reservation checked, then the sale: but the check is a plain read.
/// The sweeper frees a ticket after the check and before the UPDATE, and the
/// UPDATE, with no condition, sells it anyway.
pub struct CheckThenSell {
    pool: PgPool,
    clock: Clock,
}

impl Checkout for CheckThenSell {
    fn new(pool: PgPool, clock: Clock) -> Self {
        CheckThenSell { pool, clock }
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.clock.now_ms();
        let cart: Vec<Row> = sqlx::query_as(CART)
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        let expired = not_valid(&cart, user, now);
        if !expired.is_empty() {
            return Err(CheckoutError::Expired(expired));
        }
        think().await;
        let tickets: Vec<(i64, i64)> = cart.iter().map(|(id, price, ..)| (*id, *price)).collect();
        let mut conn = self.pool.acquire().await?;
        sell(&mut conn, user, &tickets, now).await
    }
}
// ANCHOR_END: check_then_sell

// ANCHOR: no_transaction
/// Each ticket sold with a conditional UPDATE (so a freed ticket is never
/// sold), but each in its own statement: when the second ticket's reservation
/// has lapsed, the first is already SOLD, half an order with no order row.
pub struct NoTransaction {
    pool: PgPool,
    clock: Clock,
}

impl Checkout for NoTransaction {
    fn new(pool: PgPool, clock: Clock) -> Self {
        NoTransaction { pool, clock }
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.clock.now_ms();
        let cart: Vec<Row> = sqlx::query_as(CART)
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        for (id, ..) in &cart {
            let sold = sqlx::query(
                "UPDATE tickets SET status = 'SOLD' WHERE id = $1 AND status = 'RESERVED'
                   AND reserved_by = $2 AND reserved_until > $3",
            )
            .bind(id)
            .bind(user)
            .bind(now)
            .execute(&self.pool)
            .await?;
            if sold.rows_affected() == 0 {
                return Err(CheckoutError::Expired(vec![*id]));
            }
        }
        let tickets: Vec<(i64, i64)> = cart.iter().map(|(id, price, ..)| (*id, *price)).collect();
        let mut conn = self.pool.acquire().await?;
        sell(&mut conn, user, &tickets, now).await
    }
}
// ANCHOR_END: no_transaction

// ANCHOR: ignores_deadline
/// Locked and in one transaction, the owner and the status checked; but not
/// the deadline. Until the sweeper's next pass, a lapsed reservation sells.
pub struct IgnoresDeadline {
    pool: PgPool,
    clock: Clock,
}

impl Checkout for IgnoresDeadline {
    fn new(pool: PgPool, clock: Clock) -> Self {
        IgnoresDeadline { pool, clock }
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.clock.now_ms();
        let mut tx = self.pool.begin().await?;
        let cart: Vec<Row> = sqlx::query_as(CART_LOCKED)
            .bind(user)
            .fetch_all(&mut *tx)
            .await?;
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        let expired = not_valid(&cart, user, i64::MIN);
        if !expired.is_empty() {
            return Err(CheckoutError::Expired(expired));
        }
        let tickets: Vec<(i64, i64)> = cart.iter().map(|(id, price, ..)| (*id, *price)).collect();
        let order = sell(&mut tx, user, &tickets, now).await?;
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
    let cart: Vec<Row> = sqlx::query_as(CART_LOCKED)
        .bind(user)
        .fetch_all(&mut *tx)
        .await?;
    if cart.is_empty() {
        return Err(CheckoutError::EmptyCart);
    }
    let expired = not_valid(&cart, user, now);
    if !expired.is_empty() {
        return Err(CheckoutError::Expired(expired));
    }
    tx.commit().await?;
    Ok(cart)
}

/// Every rule checked under `FOR UPDATE`, then the transaction committed and
/// the sale written after it: the locks end with the check, and the sweeper
/// frees a ticket in the gap before the unconditional UPDATE sells it.
pub struct LocksThenCommits {
    pool: PgPool,
    clock: Clock,
}

impl Checkout for LocksThenCommits {
    fn new(pool: PgPool, clock: Clock) -> Self {
        LocksThenCommits { pool, clock }
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.clock.now_ms();
        let cart = checked_and_committed(&self.pool, user, now).await?;
        let tickets: Vec<(i64, i64)> = cart.iter().map(|(id, price, ..)| (*id, *price)).collect();
        let mut conn = self.pool.acquire().await?;
        sell(&mut conn, user, &tickets, now).await
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
pub struct SoldBeforeOrder {
    pool: PgPool,
    clock: Clock,
}

impl Checkout for SoldBeforeOrder {
    fn new(pool: PgPool, clock: Clock) -> Self {
        SoldBeforeOrder { pool, clock }
    }

    async fn checkout(&self, user: &str) -> Result<Order, CheckoutError> {
        let now = self.clock.now_ms();
        let cart = checked_and_committed(&self.pool, user, now).await?;
        let ids: Vec<i64> = cart.iter().map(|(id, ..)| *id).collect();
        let mut mark = self.pool.begin().await?;
        let sold = sqlx::query(
            "UPDATE tickets SET status = 'SOLD' WHERE id = ANY($1) AND status = 'RESERVED'
               AND reserved_by = $2 AND reserved_until > $3",
        )
        .bind(&ids)
        .bind(user)
        .bind(now)
        .execute(&mut *mark)
        .await?;
        if sold.rows_affected() != ids.len() as u64 {
            return Err(CheckoutError::Expired(ids));
        }
        mark.commit().await?;
        let tickets: Vec<(i64, i64)> = cart.iter().map(|(id, price, ..)| (*id, *price)).collect();
        let mut order = self.pool.begin().await?;
        let sale = sell(&mut order, user, &tickets, now).await?;
        order.commit().await?;
        Ok(sale)
    }
}
// ANCHOR_END: sold_before_order
