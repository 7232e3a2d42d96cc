//! # 03.2 Changing a vote: tallies kept in the same transaction
//!
//! **The race.** Read the voter's vote, write the new one, then move the
//! tallies by what was read: two changes of one vote both read "cat", both
//! take one from cat, and its tally falls below its votes for good.
//!
//! **Your task.** One transaction. `INSERT ... ON CONFLICT (poll_id, voter)
//! DO NOTHING`: if it inserted, this is the voter's first vote (`New`), add
//! one to the option's tally. Otherwise lock the vote with `SELECT option_id
//! ... FOR UPDATE` (a second change now waits here), and if it is another
//! option, move the vote and the two tallies, the lower option id first:
//! opposite orders deadlock. An option that is not the poll's fails the
//! foreign key (SQLSTATE 23503): `UnknownOption`.
//!
//! **The spec checks** each answer with its tallies, and that after 200
//! concurrent casts by 20 voters every cast succeeded, each voter had one
//! `New`, and each tally equals its option's votes, three rounds.
//!
//! Run `cargo xtask test 03.2`; stuck? `cargo xtask hint 03.2`. Needs PostgreSQL.

use racecourse_03::poll::is_foreign_key_violation;
use racecourse_03::{Ballots, Cast, VoteError};
use sqlx::PgPool;

pub struct PgBallots {
    pool: PgPool,
}

impl Ballots for PgBallots {
    fn new(pool: PgPool) -> Self {
        PgBallots { pool }
    }

    // ANCHOR: cast
    async fn cast(&self, poll: i64, option: i64, voter: &str) -> Result<Cast, VoteError> {
        let unknown = |e: sqlx::Error| match e {
            e if is_foreign_key_violation(&e) => VoteError::UnknownOption { poll, option },
            e => VoteError::Db(e),
        };
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3)
             ON CONFLICT (poll_id, voter) DO NOTHING",
        )
        .bind(poll)
        .bind(option)
        .bind(voter)
        .execute(&mut *tx)
        .await
        .map_err(unknown)?
        .rows_affected()
            == 1;
        if inserted {
            add(&mut tx, option, 1).await?;
            tx.commit().await?;
            return Ok(Cast::New);
        }
        let from: i64 = sqlx::query_scalar(
            "SELECT option_id FROM votes WHERE poll_id = $1 AND voter = $2 FOR UPDATE",
        )
        .bind(poll)
        .bind(voter)
        .fetch_one(&mut *tx)
        .await?;
        if from == option {
            return Ok(Cast::Unchanged);
        }
        sqlx::query("UPDATE votes SET option_id = $3 WHERE poll_id = $1 AND voter = $2")
            .bind(poll)
            .bind(voter)
            .bind(option)
            .execute(&mut *tx)
            .await
            .map_err(unknown)?;
        // Always the lower id first, whichever way the vote moves.
        let mut moves = [(from, -1), (option, 1)];
        moves.sort();
        for (id, delta) in moves {
            add(&mut tx, id, delta).await?;
        }
        tx.commit().await?;
        Ok(Cast::Changed { from })
    }
    // ANCHOR_END: cast
}

/// Adds `delta` to option `id`'s tally.
async fn add(tx: &mut sqlx::PgConnection, id: i64, delta: i32) -> sqlx::Result<()> {
    sqlx::query("UPDATE poll_options SET votes = votes + $2 WHERE id = $1")
        .bind(id)
        .bind(delta)
        .execute(tx)
        .await?;
    Ok(())
}
