//! 01.6: optimistic updates that forget half of the pattern.

use crate::ratings::{RateError, Ratings};
use sqlx::PgPool;

/// One optimistic attempt: read, then write only if the version is unchanged.
/// Returns whether the write happened.
async fn attempt(pool: &PgPool, book: i64, stars: i32) -> Result<bool, RateError> {
    let (count, sum, version): (i32, i64, i32) =
        sqlx::query_as("SELECT rating_count, rating_sum, version FROM books WHERE id = $1")
            .bind(book)
            .fetch_optional(pool)
            .await?
            .ok_or(RateError::UnknownBook(book))?;
    let written = sqlx::query(
        "UPDATE books SET rating_count = $2, rating_sum = $3, version = version + 1 WHERE id = $1 AND version = $4",
    )
    .bind(book)
    .bind(count + 1)
    .bind(sum + i64::from(stars))
    .bind(version)
    .execute(pool)
    .await?;
    Ok(written.rows_affected() == 1)
}

fn check_stars(stars: i32) -> Result<(), RateError> {
    if (1..=5).contains(&stars) {
        Ok(())
    } else {
        Err(RateError::InvalidStars(stars))
    }
}

// ANCHOR: no_retry
/// The version check is right, but a conflict is handed to the caller: under
/// load most ratings come back as errors, and the user's click is lost.
pub struct NoRetry {
    pool: PgPool,
}

impl Ratings for NoRetry {
    async fn rate(&self, book: i64, stars: i32) -> Result<u32, RateError> {
        check_stars(stars)?;
        match attempt(&self.pool, book, stars).await? {
            true => Ok(1),
            false => Err(RateError::Contention { attempts: 1 }),
        }
    }
}
// ANCHOR_END: no_retry

// ANCHOR: rows_not_checked
/// `WHERE version = $4` is there, but nobody looks at how many rows the UPDATE
/// changed: a write that matched nothing is reported as saved.
pub struct RowsNotChecked {
    pool: PgPool,
}

impl Ratings for RowsNotChecked {
    async fn rate(&self, book: i64, stars: i32) -> Result<u32, RateError> {
        check_stars(stars)?;
        let _written = attempt(&self.pool, book, stars).await?;
        Ok(1)
    }
}
// ANCHOR_END: rows_not_checked

impl NoRetry {
    pub fn new(pool: PgPool) -> Self {
        NoRetry { pool }
    }
}

impl RowsNotChecked {
    pub fn new(pool: PgPool) -> Self {
        RowsNotChecked { pool }
    }
}
