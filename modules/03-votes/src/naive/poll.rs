//! 03.1, naive: look for the voter's vote, and insert one if there is none.

use crate::poll::{Polls, Vote, VoteError, is_foreign_key_violation};
use crate::think;
use sqlx::PgPool;

/// The voter's vote in `poll`, if there is one.
pub(crate) async fn existing(pool: &PgPool, poll: i64, voter: &str) -> sqlx::Result<Option<Vote>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT id, option_id FROM votes WHERE poll_id = $1 AND voter = $2")
            .bind(poll)
            .bind(voter)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, option)| Vote {
        id,
        poll,
        option,
        voter: voter.to_string(),
    }))
}

/// A database error as the contract's: a foreign key refusing the option is
/// `UnknownOption`.
pub(crate) fn db_error(e: sqlx::Error, poll: i64, option: i64) -> VoteError {
    if is_foreign_key_violation(&e) {
        VoteError::UnknownOption { poll, option }
    } else {
        VoteError::Db(e)
    }
}

// ANCHOR: naive
/// Checks whether the voter has voted, then inserts. Two requests of one
/// voter both check before either inserts: both find nothing. On a table
/// without the unique key both votes count; with it, the second insert fails
/// with a duplicate-key error the code never expected, and the client gets a
/// 500 instead of 409.
pub struct CheckThenInsert {
    pool: PgPool,
}

impl Polls for CheckThenInsert {
    fn new(pool: PgPool) -> Self {
        CheckThenInsert { pool }
    }

    async fn vote(&self, poll: i64, option: i64, voter: &str) -> Result<Vote, VoteError> {
        if let Some(vote) = existing(&self.pool, poll, voter).await? {
            return Err(VoteError::AlreadyVoted(vote));
        }
        think().await;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(poll)
        .bind(option)
        .bind(voter)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| db_error(e, poll, option))?;
        Ok(Vote {
            id,
            poll,
            option,
            voter: voter.to_string(),
        })
    }
}
// ANCHOR_END: naive
