//! Exercise 03.1: one vote per user per poll. The unique key
//! `votes_one_per_voter (poll_id, voter)` is in the schema; the exercise is to
//! let it decide, with `INSERT ... ON CONFLICT DO NOTHING`, and to answer a
//! duplicate with the vote that is already there.

use sqlx::PgPool;
use std::future::Future;

/// A vote as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub id: i64,
    pub poll: i64,
    pub option: i64,
    pub voter: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VoteError {
    /// The voter has voted in this poll already: the vote that counts.
    #[error("{} already voted in poll {}: vote {}, for option {}", .0.voter, .0.poll, .0.id, .0.option)]
    AlreadyVoted(Vote),
    /// No such poll, or the option is not one of the poll's.
    #[error("poll {poll} has no option {option}")]
    UnknownOption { poll: i64, option: i64 },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

pub trait Polls: Send + Sync + 'static {
    fn new(pool: PgPool) -> Self
    where
        Self: Sized;

    /// Records `voter`'s vote for `option` in `poll` and returns it, or, if
    /// the voter has voted in this poll already, `AlreadyVoted` with the vote
    /// that is stored (which this call does not change).
    fn vote(
        &self,
        poll: i64,
        option: i64,
        voter: &str,
    ) -> impl Future<Output = Result<Vote, VoteError>> + Send;
}

/// A new poll with these options; returns its id and its options' ids, in order.
pub async fn create_poll(
    pool: &PgPool,
    question: &str,
    options: &[&str],
) -> sqlx::Result<(i64, Vec<i64>)> {
    let poll: i64 = sqlx::query_scalar("INSERT INTO polls (question) VALUES ($1) RETURNING id")
        .bind(question)
        .fetch_one(pool)
        .await?;
    let mut ids = Vec::with_capacity(options.len());
    for label in options {
        ids.push(
            sqlx::query_scalar(
                "INSERT INTO poll_options (poll_id, label) VALUES ($1, $2) RETURNING id",
            )
            .bind(poll)
            .bind(label)
            .fetch_one(pool)
            .await?,
        );
    }
    Ok((poll, ids))
}

/// Every vote stored for `poll`, in the order they were cast.
pub async fn votes_of(pool: &PgPool, poll: i64) -> sqlx::Result<Vec<Vote>> {
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT id, poll_id, option_id, voter FROM votes WHERE poll_id = $1 ORDER BY id",
    )
    .bind(poll)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, poll, option, voter)| Vote {
            id,
            poll,
            option,
            voter,
        })
        .collect())
}

/// Whether `error` is PostgreSQL refusing a row whose foreign key points
/// nowhere (SQLSTATE 23503): here, an option that is not the poll's, or a
/// coupon that does not exist.
pub fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.code().as_deref() == Some("23503"))
}
