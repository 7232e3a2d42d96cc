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
use sqlx::PgPool;

pub struct OptimisticRatings {
    pool: PgPool,
}

impl OptimisticRatings {
    pub fn new(pool: PgPool) -> Self {
        OptimisticRatings { pool }
    }
}

impl Ratings for OptimisticRatings {
    /// Retries with a random, growing backoff, up to `MAX_ATTEMPTS` times.
    async fn rate(&self, book: i64, stars: i32) -> Result<u32, RateError> {
        let (_pool, _attempts) = (&self.pool, MAX_ATTEMPTS);
        todo!(
            "01.6 exercises/01-concurrency/src/ratings.rs: OptimisticRatings::rate({book}, {stars})"
        )
    }
}
