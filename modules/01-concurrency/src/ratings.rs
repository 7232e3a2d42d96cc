//! Exercise 01.6: book ratings kept as a running count and sum, updated by many
//! readers at once with optimistic concurrency control.

use sqlx::PgPool;
use std::future::Future;

/// How many times a rating reads and tries to write before it gives up. The
/// spec's 200 raters at once need a few dozen at most; twice that leaves room
/// for a machine loaded by other work, where each attempt takes longer and
/// more of them collide.
pub const MAX_ATTEMPTS: u32 = 100;

#[derive(Debug, thiserror::Error)]
pub enum RateError {
    #[error("a rating is 1 to 5 stars, got {0}")]
    InvalidStars(i32),
    #[error("no book {0}")]
    UnknownBook(i64),
    #[error("gave up after {attempts} conflicting attempts")]
    Contention { attempts: u32 },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

pub trait Ratings: Send + Sync + 'static {
    /// Adds a rating of `stars` to `book`: one more in `rating_count`, `stars`
    /// more in `rating_sum`. Returns the attempts it took.
    fn rate(&self, book: i64, stars: i32) -> impl Future<Output = Result<u32, RateError>> + Send;
}

/// A new book with no ratings; returns its id.
pub async fn create_book(pool: &PgPool, title: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("INSERT INTO books (title) VALUES ($1) RETURNING id")
        .bind(title)
        .fetch_one(pool)
        .await
}

/// A book's `(rating_count, rating_sum)`.
pub async fn rating_totals(pool: &PgPool, book: i64) -> sqlx::Result<(i32, i64)> {
    sqlx::query_as("SELECT rating_count, rating_sum FROM books WHERE id = $1")
        .bind(book)
        .fetch_one(pool)
        .await
}
