//! What every exercise of module 07 shares: a ticket's states, the Redis key
//! names, the errors, and the small SQL the spec and the demo use to set up
//! and read the world (not part of any exercise).

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::time::Duration;

/// How long a reservation lasts unless configured otherwise.
pub const RESERVATION_TTL: Duration = Duration::from_secs(15 * 60);

/// How long a worker's lock on a ticket lives if the worker dies holding it.
pub const LOCK_TTL: Duration = Duration::from_secs(5);

/// A ticket's state (the `status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Available,
    InQueue,
    Reserved,
    Sold,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Available => "AVAILABLE",
            Status::InQueue => "IN_QUEUE",
            Status::Reserved => "RESERVED",
            Status::Sold => "SOLD",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Available,
            Status::InQueue,
            Status::Reserved,
            Status::Sold,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// Why a booking step did not complete.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("redis error: {0}")]
    Redis(#[from] redis::RedisError),
}

/// The Redis list of queue ids, first in line at the left.
pub fn queue_key(prefix: &str) -> String {
    format!("{prefix}queue")
}

/// The Redis hash of one queue entry: `ticket` and `user`.
pub fn entry_key(prefix: &str, queue_id: &str) -> String {
    format!("{prefix}entry:{queue_id}")
}

/// The Redis key a worker locks a ticket with (`SET NX PX`, an owner token).
pub fn lock_key(prefix: &str, ticket: i64) -> String {
    format!("{prefix}lock:ticket:{ticket}")
}

/// A token no other lock holder has: a worker's proof that the lock is its own.
pub fn owner_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// One ticket's row, as the spec and the demo read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketRow {
    pub id: i64,
    pub concert_id: i64,
    pub seat: String,
    pub price: i64,
    pub status: Status,
    pub reserved_by: Option<String>,
    pub reserved_until: Option<i64>,
}

type Raw = (i64, i64, String, i64, String, Option<String>, Option<i64>);

fn row(r: Raw) -> TicketRow {
    TicketRow {
        id: r.0,
        concert_id: r.1,
        seat: r.2,
        price: r.3,
        status: Status::parse(&r.4).unwrap_or(Status::Available),
        reserved_by: r.5,
        reserved_until: r.6,
    }
}

/// Creates a concert with `seats` tickets at `price` cents; returns its id and
/// the tickets' ids in seat order.
pub async fn create_concert(
    pool: &PgPool,
    name: &str,
    seats: usize,
    price: i64,
) -> sqlx::Result<(i64, Vec<i64>)> {
    let (concert,): (i64,) =
        sqlx::query_as("INSERT INTO concerts (name, venue) VALUES ($1, 'Main hall') RETURNING id")
            .bind(name)
            .fetch_one(pool)
            .await?;
    let ids: Vec<(i64,)> = sqlx::query_as(
        "INSERT INTO tickets (concert_id, seat, price)
         SELECT $1, 'A' || n, $2 FROM generate_series(1, $3) AS n ORDER BY n RETURNING id",
    )
    .bind(concert)
    .bind(price)
    .bind(seats as i32)
    .fetch_all(pool)
    .await?;
    Ok((concert, ids.into_iter().map(|(id,)| id).collect()))
}

/// One ticket, or `None` for an unknown id.
pub async fn ticket(pool: &PgPool, id: i64) -> sqlx::Result<Option<TicketRow>> {
    let r: Option<Raw> = sqlx::query_as(
        "SELECT id, concert_id, seat, price, status, reserved_by, reserved_until
           FROM tickets WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(r.map(row))
}

/// A concert's tickets in seat order.
pub async fn concert_tickets(pool: &PgPool, concert: i64) -> sqlx::Result<Vec<TicketRow>> {
    let rows: Vec<Raw> = sqlx::query_as(
        "SELECT id, concert_id, seat, price, status, reserved_by, reserved_until
           FROM tickets WHERE concert_id = $1 ORDER BY id",
    )
    .bind(concert)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(row).collect())
}

/// Marks a ticket IN_QUEUE when someone queues for it, if it is AVAILABLE or
/// already IN_QUEUE; `false` when it is RESERVED, SOLD or unknown (the HTTP
/// route answers 409 or 404). One conditional UPDATE: no gap to race in.
pub async fn mark_in_queue(pool: &PgPool, ticket: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE tickets SET status = 'IN_QUEUE'
         WHERE id = $1 AND status IN ('AVAILABLE', 'IN_QUEUE')",
    )
    .bind(ticket)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives `ticket` to `user` until `until_ms`, with its cart row, as the
/// worker would: how the spec of 07.3 and 07.4 sets up reservations.
pub async fn reserve_directly(
    pool: &PgPool,
    ticket: i64,
    user: &str,
    until_ms: i64,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE tickets SET status = 'RESERVED', reserved_by = $2, reserved_until = $3 WHERE id = $1",
    )
    .bind(ticket)
    .bind(user)
    .bind(until_ms)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO cart_items (user_id, ticket_id, expires_at) VALUES ($1, $2, $3)")
        .bind(user)
        .bind(ticket)
        .bind(until_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// One row of a user's cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartItem {
    pub ticket: i64,
    pub seat: String,
    pub price: i64,
    pub expires_at: i64,
}

/// A user's cart, by ticket id.
pub async fn cart(pool: &PgPool, user: &str) -> sqlx::Result<Vec<CartItem>> {
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT t.id, t.seat, t.price, c.expires_at FROM cart_items c
         JOIN tickets t ON t.id = c.ticket_id WHERE c.user_id = $1 ORDER BY t.id",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(ticket, seat, price, expires_at)| CartItem {
            ticket,
            seat,
            price,
            expires_at,
        })
        .collect())
}

/// The users whose carts hold `ticket`.
pub async fn carts_holding(pool: &PgPool, ticket: i64) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT user_id FROM cart_items WHERE ticket_id = $1 ORDER BY user_id")
            .bind(ticket)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// How many order items sell `ticket`: more than one is a ticket sold twice.
pub async fn times_sold(pool: &PgPool, ticket: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM order_items WHERE ticket_id = $1")
        .bind(ticket)
        .fetch_one(pool)
        .await?;
    Ok(n)
}

/// How many orders `user` has.
pub async fn orders_of(pool: &PgPool, user: &str) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM orders WHERE user_id = $1")
        .bind(user)
        .fetch_one(pool)
        .await?;
    Ok(n)
}
