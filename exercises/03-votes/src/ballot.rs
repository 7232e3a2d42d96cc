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

use racecourse_03::{Ballots, Cast, VoteError};
use sqlx::PgPool;

pub struct PgBallots {
    pool: PgPool,
}

impl Ballots for PgBallots {
    fn new(pool: PgPool) -> Self {
        PgBallots { pool }
    }

    async fn cast(&self, poll: i64, option: i64, voter: &str) -> Result<Cast, VoteError> {
        // Queries run on `&self.pool`; a transaction is `self.pool.begin().await?`.
        let _pool = &self.pool;
        todo!("03.2 exercises/03-votes/src/ballot.rs: PgBallots::cast({poll}, {option}, {voter})")
    }
}
