//! # 03.1 Poll vote: a unique (poll, voter) key and `ON CONFLICT`
//!
//! **The race.** Check whether the voter has voted, then insert: two requests
//! of one voter both check before either inserts, and both find nothing.
//! Without a unique key both votes count; with it, the second insert fails
//! with a duplicate-key error, and the client gets a 500.
//!
//! **Your task.** Let the unique key `votes_one_per_voter (poll_id, voter)`
//! decide, in one statement: `INSERT ... ON CONFLICT (poll_id, voter) DO
//! NOTHING RETURNING id`. No row back means the voter has voted: read the vote
//! that is there and answer `AlreadyVoted` with it (the demo turns that into
//! 409 problem+json naming it). An option that is not the poll's fails the
//! foreign key (SQLSTATE 23503): answer `UnknownOption`.
//!
//! **The spec checks** each answer; that 100 votes of one voter at once count
//! once, the other 99 answered `AlreadyVoted` naming it, five rounds; and the
//! 201 and 409 over HTTP.
//!
//! Run `cargo xtask test 03.1`; stuck? `cargo xtask hint 03.1`. Needs PostgreSQL.

use racecourse_03::{Polls, Vote, VoteError};
use sqlx::PgPool;

pub struct PgPolls {
    pool: PgPool,
}

impl Polls for PgPolls {
    fn new(pool: PgPool) -> Self {
        PgPolls { pool }
    }

    async fn vote(&self, poll: i64, option: i64, voter: &str) -> Result<Vote, VoteError> {
        // Queries run on `&self.pool`; a transaction is `self.pool.begin().await?`.
        let _pool = &self.pool;
        todo!("03.1 exercises/03-votes/src/poll.rs: PgPolls::vote({poll}, {option}, {voter})")
    }
}
