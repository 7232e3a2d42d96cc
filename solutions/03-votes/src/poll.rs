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

use racecourse_03::poll::is_foreign_key_violation;
use racecourse_03::{Polls, Vote, VoteError};
use sqlx::PgPool;

pub struct PgPolls {
    pool: PgPool,
}

impl Polls for PgPolls {
    fn new(pool: PgPool) -> Self {
        PgPolls { pool }
    }

    // ANCHOR: vote
    async fn vote(&self, poll: i64, option: i64, voter: &str) -> Result<Vote, VoteError> {
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3)
             ON CONFLICT (poll_id, voter) DO NOTHING
             RETURNING id",
        )
        .bind(poll)
        .bind(option)
        .bind(voter)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| match e {
            e if is_foreign_key_violation(&e) => VoteError::UnknownOption { poll, option },
            e => VoteError::Db(e),
        })?;
        if let Some(id) = inserted {
            let voter = voter.to_string();
            return Ok(Vote {
                id,
                poll,
                option,
                voter,
            });
        }
        // The conflicting vote is committed: ON CONFLICT waited for it.
        let (id, option): (i64, i64) =
            sqlx::query_as("SELECT id, option_id FROM votes WHERE poll_id = $1 AND voter = $2")
                .bind(poll)
                .bind(voter)
                .fetch_one(&self.pool)
                .await?;
        let voter = voter.to_string();
        Err(VoteError::AlreadyVoted(Vote {
            id,
            poll,
            option,
            voter,
        }))
    }
    // ANCHOR_END: vote
}
