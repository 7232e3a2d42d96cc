//! # 01.6 Optimistic ratings: `WHERE version = $n`, retry with backoff
//!
//! **The race.** Two readers rate a book at once: both read count 10, both
//! write count 11. Last write wins, one rating is gone.
//!
//! **Your task.** Write only if the row is still at the version you read
//! (`UPDATE ... WHERE id = $1 AND version = $4`); if no row was updated,
//! someone else won: wait a random, growing time and try again.
//!
//! **The spec checks** that 200 concurrent ratings of one book all succeed and
//! that its count and sum come out exact, two rounds over.
//!
//! Run `cargo xtask test 01.6`; stuck? `cargo xtask hint 01.6`. Needs PostgreSQL.

use racecourse_01::ratings::MAX_ATTEMPTS;
use racecourse_01::{RateError, Ratings};
use rand::Rng;
use sqlx::PgPool;
use std::time::Duration;

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_millis(64);

pub struct OptimisticRatings {
    pool: PgPool,
}

impl OptimisticRatings {
    pub fn new(pool: PgPool) -> Self {
        OptimisticRatings { pool }
    }
}

impl Ratings for OptimisticRatings {
    // ANCHOR: rate
    async fn rate(&self, book: i64, stars: i32) -> Result<u32, RateError> {
        if !(1..=5).contains(&stars) {
            return Err(RateError::InvalidStars(stars));
        }
        for attempt in 1..=MAX_ATTEMPTS {
            let (count, sum, version): (i32, i64, i32) =
                sqlx::query_as("SELECT rating_count, rating_sum, version FROM books WHERE id = $1")
                    .bind(book)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(RateError::UnknownBook(book))?;
            let written = sqlx::query(
                "UPDATE books SET rating_count = $2, rating_sum = $3, version = version + 1
                  WHERE id = $1 AND version = $4",
            )
            .bind(book)
            .bind(count + 1)
            .bind(sum + i64::from(stars))
            .bind(version)
            .execute(&self.pool)
            .await?;
            if written.rows_affected() == 1 {
                return Ok(attempt);
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
        Err(RateError::Contention {
            attempts: MAX_ATTEMPTS,
        })
    }
    // ANCHOR_END: rate
}

// ANCHOR: backoff
/// Full jitter: a random wait up to a cap that doubles with each attempt
/// (1, 2, 4 ... 64 ms), so the losers of one round spread out instead of
/// colliding again in lockstep.
fn backoff(attempt: u32) -> Duration {
    let cap = Duration::from_millis(1 << (attempt - 1).min(6)).min(MAX_BACKOFF);
    rand::rng().random_range(Duration::ZERO..=cap)
}
// ANCHOR_END: backoff
