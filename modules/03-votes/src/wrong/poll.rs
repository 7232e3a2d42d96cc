//! 03.1: duplicate-vote guards that look right.

use crate::naive::poll::{db_error, existing};
use crate::poll::{Polls, Vote, VoteError};
use crate::think;
use sqlx::PgPool;

// ANCHOR: check_in_transaction
/// The check and the insert in one transaction. At READ COMMITTED a
/// transaction does not lock what a SELECT found absent: two of them both
/// find no vote, both insert, and the unique key fails the second with a
/// duplicate-key error (a 500), not AlreadyVoted.
pub struct CheckInTransaction {
    pool: PgPool,
}

impl Polls for CheckInTransaction {
    fn new(pool: PgPool) -> Self {
        CheckInTransaction { pool }
    }

    async fn vote(&self, poll: i64, option: i64, voter: &str) -> Result<Vote, VoteError> {
        let mut tx = self.pool.begin().await?;
        let found: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, option_id FROM votes WHERE poll_id = $1 AND voter = $2")
                .bind(poll)
                .bind(voter)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((id, option)) = found {
            let voter = voter.to_string();
            return Err(VoteError::AlreadyVoted(Vote {
                id,
                poll,
                option,
                voter,
            }));
        }
        think().await;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(poll)
        .bind(option)
        .bind(voter)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| db_error(e, poll, option))?;
        tx.commit().await?;
        Ok(Vote {
            id,
            poll,
            option,
            voter: voter.to_string(),
        })
    }
}
// ANCHOR_END: check_in_transaction

// ANCHOR: conflict_ignored
/// `ON CONFLICT DO NOTHING`, so the database never counts a vote twice, but
/// the answer does not look at whether the insert inserted: it reads the
/// stored vote and answers it as counted. Every duplicate is told "your vote
/// counted", and the client cannot tell a retry from a first vote.
pub struct ConflictIgnored {
    pool: PgPool,
}

impl Polls for ConflictIgnored {
    fn new(pool: PgPool) -> Self {
        ConflictIgnored { pool }
    }

    async fn vote(&self, poll: i64, option: i64, voter: &str) -> Result<Vote, VoteError> {
        sqlx::query(
            "INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3)
             ON CONFLICT (poll_id, voter) DO NOTHING",
        )
        .bind(poll)
        .bind(option)
        .bind(voter)
        .execute(&self.pool)
        .await
        .map_err(|e| db_error(e, poll, option))?;
        existing(&self.pool, poll, voter)
            .await?
            .ok_or(VoteError::UnknownOption { poll, option })
    }
}
// ANCHOR_END: conflict_ignored

// ANCHOR: upsert_overwrites
/// `ON CONFLICT ... DO UPDATE`: one row per voter, and the duplicate is
/// answered AlreadyVoted. But the update moves the stored vote to the
/// duplicate's option: a second vote changes the first instead of being
/// refused, which is 03.2's job, with tallies, not a duplicate's.
pub struct UpsertOverwrites {
    pool: PgPool,
}

impl Polls for UpsertOverwrites {
    fn new(pool: PgPool) -> Self {
        UpsertOverwrites { pool }
    }

    async fn vote(&self, poll: i64, option: i64, voter: &str) -> Result<Vote, VoteError> {
        let (id, inserted): (i64, bool) = sqlx::query_as(
            "INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3)
             ON CONFLICT (poll_id, voter) DO UPDATE SET option_id = EXCLUDED.option_id
             RETURNING id, xmax = 0",
        )
        .bind(poll)
        .bind(option)
        .bind(voter)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| db_error(e, poll, option))?;
        let vote = Vote {
            id,
            poll,
            option,
            voter: voter.to_string(),
        };
        if inserted {
            Ok(vote)
        } else {
            Err(VoteError::AlreadyVoted(vote))
        }
    }
}
// ANCHOR_END: upsert_overwrites
