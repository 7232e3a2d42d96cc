//! 03.2, naive: read the voter's vote, write the new one, then fix the
//! tallies from what was read, each statement on its own.

use crate::ballot::{Ballots, Cast};
use crate::naive::poll::db_error;
use crate::poll::VoteError;
use crate::think;
use sqlx::{PgConnection, PgPool};

/// The tally changes for a vote that was `from` (if anything) and is now
/// `to`, the lower option id first (so that only the race in each wrong fix
/// shows, not a deadlock), and what the cast did.
pub(crate) fn moves(from: Option<i64>, to: i64) -> (Cast, Vec<(i64, i32)>) {
    match from {
        None => (Cast::New, vec![(to, 1)]),
        Some(from) if from == to => (Cast::Unchanged, vec![]),
        Some(from) => {
            let mut tallies = vec![(from, -1), (to, 1)];
            tallies.sort();
            (Cast::Changed { from }, tallies)
        }
    }
}

/// Applies tally changes in the order given.
pub(crate) async fn apply(conn: &mut PgConnection, moves: &[(i64, i32)]) -> sqlx::Result<()> {
    for (option, delta) in moves {
        sqlx::query("UPDATE poll_options SET votes = votes + $2 WHERE id = $1")
            .bind(option)
            .bind(delta)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The voter's current option in `poll`, if any, locked if `for_update`.
pub(crate) async fn current(
    conn: &mut PgConnection,
    poll: i64,
    voter: &str,
    for_update: bool,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(if for_update {
        "SELECT option_id FROM votes WHERE poll_id = $1 AND voter = $2 FOR UPDATE"
    } else {
        "SELECT option_id FROM votes WHERE poll_id = $1 AND voter = $2"
    })
    .bind(poll)
    .bind(voter)
    .fetch_optional(conn)
    .await
}

/// Inserts the voter's vote, or moves it to `option`.
pub(crate) async fn upsert(
    conn: &mut PgConnection,
    poll: i64,
    option: i64,
    voter: &str,
) -> Result<(), VoteError> {
    sqlx::query(
        "INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3)
         ON CONFLICT (poll_id, voter) DO UPDATE SET option_id = EXCLUDED.option_id",
    )
    .bind(poll)
    .bind(option)
    .bind(voter)
    .execute(conn)
    .await
    .map_err(|e| db_error(e, poll, option))?;
    Ok(())
}

// ANCHOR: naive
/// Reads the vote, upserts the new one, and moves the tallies by what it
/// read, each statement committed on its own. Two changes of one voter's vote
/// (a double click, two tabs) both read "cat": both take one from cat, and
/// cat's tally falls below its votes for good.
pub struct ReadThenUpsert {
    pool: PgPool,
}

impl Ballots for ReadThenUpsert {
    fn new(pool: PgPool) -> Self {
        ReadThenUpsert { pool }
    }

    async fn cast(&self, poll: i64, option: i64, voter: &str) -> Result<Cast, VoteError> {
        let mut conn = self.pool.acquire().await?;
        let from = current(&mut conn, poll, voter, false).await?;
        think().await;
        upsert(&mut conn, poll, option, voter).await?;
        let (cast, tallies) = moves(from, option);
        apply(&mut conn, &tallies).await?;
        Ok(cast)
    }
}
// ANCHOR_END: naive
