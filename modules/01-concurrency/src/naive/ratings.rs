//! Last write wins: read the totals, add, write them back with no version check.

use crate::ratings::{RateError, Ratings};
use sqlx::PgPool;

pub struct LastWriteWins {
    pool: PgPool,
}

impl LastWriteWins {
    pub fn new(pool: PgPool) -> Self {
        LastWriteWins { pool }
    }
}

impl Ratings for LastWriteWins {
    async fn rate(&self, book: i64, stars: i32) -> Result<u32, RateError> {
        if !(1..=5).contains(&stars) {
            return Err(RateError::InvalidStars(stars));
        }
        let (count, sum): (i32, i64) =
            sqlx::query_as("SELECT rating_count, rating_sum FROM books WHERE id = $1")
                .bind(book)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(RateError::UnknownBook(book))?;
        sqlx::query("UPDATE books SET rating_count = $2, rating_sum = $3 WHERE id = $1")
            .bind(book)
            .bind(count + 1)
            .bind(sum + i64::from(stars))
            .execute(&self.pool)
            .await?;
        Ok(1)
    }
}
