//! Exercise 03.2: a vote that can be changed. The vote row moves between a
//! poll's options, and each option's running tally (`poll_options.votes`)
//! must follow it in the same transaction: after any number of concurrent
//! changes, each tally equals the number of votes for its option.

use crate::poll::VoteError;
use sqlx::PgPool;
use std::future::Future;

/// What a cast did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cast {
    /// The voter's first vote in the poll.
    New,
    /// The vote moved here from option `from`.
    Changed { from: i64 },
    /// The vote was for this option already: nothing changed.
    Unchanged,
}

pub trait Ballots: Send + Sync + 'static {
    fn new(pool: PgPool) -> Self
    where
        Self: Sized;

    /// Makes `voter`'s vote in `poll` a vote for `option` (inserting it or
    /// moving it), and the tallies of the options it left and joined follow,
    /// in the same transaction. An option that is not the poll's is
    /// `UnknownOption`, and changes nothing.
    fn cast(
        &self,
        poll: i64,
        option: i64,
        voter: &str,
    ) -> impl Future<Output = Result<Cast, VoteError>> + Send;
}

/// One option's tally beside the votes that really are for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub option: i64,
    /// `poll_options.votes`, as the code kept it.
    pub tally: i64,
    /// `count(*)` of the votes for the option.
    pub counted: i64,
}

/// Each option of `poll`, in id order, with its tally and its counted votes.
pub async fn tallies(pool: &PgPool, poll: i64) -> sqlx::Result<Vec<Tally>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT o.id, o.votes::BIGINT, (SELECT count(*) FROM votes v WHERE v.option_id = o.id)
           FROM poll_options o WHERE o.poll_id = $1 ORDER BY o.id",
    )
    .bind(poll)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(option, tally, counted)| Tally {
            option,
            tally,
            counted,
        })
        .collect())
}
