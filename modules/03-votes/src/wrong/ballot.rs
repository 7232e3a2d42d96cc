//! 03.2: vote changes that look transactional.

use crate::ballot::{Ballots, Cast};
use crate::naive::ballot::{apply, current, moves, upsert};
use crate::naive::poll::db_error;
use crate::poll::VoteError;
use crate::think;
use sqlx::PgPool;

// ANCHOR: transaction_without_lock
/// The naive steps in one transaction. At READ COMMITTED the SELECT takes no
/// lock: two changes of one vote both read "cat" before either commits, and
/// both take one from cat. The transaction makes the steps all-or-nothing,
/// not one-at-a-time.
pub struct TransactionWithoutLock {
    pool: PgPool,
}

impl Ballots for TransactionWithoutLock {
    fn new(pool: PgPool) -> Self {
        TransactionWithoutLock { pool }
    }

    async fn cast(&self, poll: i64, option: i64, voter: &str) -> Result<Cast, VoteError> {
        let mut tx = self.pool.begin().await?;
        let from = current(&mut tx, poll, voter, false).await?;
        think().await;
        upsert(&mut tx, poll, option, voter).await?;
        let (cast, tallies) = moves(from, option);
        apply(&mut tx, &tallies).await?;
        tx.commit().await?;
        Ok(cast)
    }
}
// ANCHOR_END: transaction_without_lock

// ANCHOR: snapshot_cte
/// One statement: a CTE reads the old option, the upsert moves the vote, and
/// the tallies follow. One statement is not one instant: the CTE reads the
/// snapshot taken when the statement began, while the upsert waits for a
/// concurrent change's row lock and then writes over the latest version. The
/// tally it takes one from is the option the vote had before that change.
pub struct SnapshotCte {
    pool: PgPool,
}

impl Ballots for SnapshotCte {
    fn new(pool: PgPool) -> Self {
        SnapshotCte { pool }
    }

    async fn cast(&self, poll: i64, option: i64, voter: &str) -> Result<Cast, VoteError> {
        let from: Option<i64> = sqlx::query_scalar(
            "WITH old AS (SELECT option_id FROM votes WHERE poll_id = $1 AND voter = $3),
                  up AS (INSERT INTO votes (poll_id, option_id, voter) VALUES ($1, $2, $3)
                         ON CONFLICT (poll_id, voter) DO UPDATE SET option_id = EXCLUDED.option_id),
                  locked AS (SELECT id FROM poll_options
                              WHERE (id = $2 OR id = (SELECT option_id FROM old))
                                AND (SELECT option_id FROM old) IS DISTINCT FROM $2
                              ORDER BY id FOR UPDATE),
                  moved AS (UPDATE poll_options
                               SET votes = votes + CASE WHEN id = $2 THEN 1 ELSE -1 END
                             WHERE id IN (SELECT id FROM locked))
             SELECT (SELECT option_id FROM old)",
        )
        .bind(poll)
        .bind(option)
        .bind(voter)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| db_error(e, poll, option))?;
        Ok(moves(from, option).0)
    }
}
// ANCHOR_END: snapshot_cte

// ANCHOR: unordered_tallies
/// The right locking (insert or lock the vote row first), but the tallies
/// are updated in the order of the move: the old option, then the new. One
/// voter moving cat to dog while another moves dog to cat: each holds one
/// tally and waits for the other's. PostgreSQL finds the deadlock after a
/// second and fails one of them.
pub struct UnorderedTallies {
    pool: PgPool,
}

impl Ballots for UnorderedTallies {
    fn new(pool: PgPool) -> Self {
        UnorderedTallies { pool }
    }

    async fn cast(&self, poll: i64, option: i64, voter: &str) -> Result<Cast, VoteError> {
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
        .map_err(|e| db_error(e, poll, option))?
        .rows_affected()
            == 1;
        let from = if inserted {
            None
        } else {
            current(&mut tx, poll, voter, true).await?
        };
        if from.is_some_and(|f| f != option) {
            upsert(&mut tx, poll, option, voter).await?;
        }
        let (cast, _) = moves(from, option);
        let tallies = match from {
            Some(from) if from != option => vec![(from, -1), (option, 1)],
            Some(_) => vec![],
            None => vec![(option, 1)],
        };
        for step in &tallies {
            apply(&mut tx, std::slice::from_ref(step)).await?;
            think().await;
        }
        tx.commit().await?;
        Ok(cast)
    }
}
// ANCHOR_END: unordered_tallies
