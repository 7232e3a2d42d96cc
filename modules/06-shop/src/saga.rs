//! Exercise 06.4: an orchestrated saga across three services (reserve an
//! item, charge a wallet, book a slot) with its log in PostgreSQL. A step
//! that fails is followed by the compensations of the steps done, in reverse
//! order; a crash anywhere is resumed from the log.
//!
//! The three services are given here ([`perform`], [`compensate`]). Each
//! takes a connection, so a step (or its compensation) and the log row that
//! records it can share one transaction: then the log never says a step was
//! done that was not, nor misses one that was, and nothing is done twice.

use sqlx::{PgConnection, PgPool};
use std::future::Future;

/// The saga's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    ReserveItem = 1,
    ChargeWallet = 2,
    BookSlot = 3,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::ReserveItem, Step::ChargeWallet, Step::BookSlot];

    /// The step numbered `n` in the log (1 to 3).
    pub fn from_number(n: i32) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.number() == n)
    }

    /// Its number in the log's `step` column.
    pub fn number(self) -> i32 {
        self as i32
    }
}

/// What the saga does: the item to reserve, the wallet to charge (and how
/// much), the slot to book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SagaOrder {
    pub item: i64,
    pub wallet: i64,
    pub amount: i64,
    pub slot: i64,
}

/// A saga's row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SagaRow {
    pub id: i64,
    pub item_id: i64,
    pub wallet_id: i64,
    pub slot_id: i64,
    pub amount: i64,
    pub state: String,
    pub failed_step: Option<i32>,
}

/// How a saga ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SagaEnd {
    Completed,
    /// `failed_step` was refused; the steps before it were compensated.
    Compensated {
        failed_step: Step,
    },
}

/// Why a step was not done.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The service said no (no stock, no money, slot taken): nothing changed.
    #[error("{0}")]
    Refused(&'static str),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// The orchestrator.
pub trait Sagas: Send + Sync + 'static {
    fn new(pool: PgPool) -> Self;

    /// Records a new saga (state `running`, nothing done) and returns its id.
    fn start(&self, order: SagaOrder) -> impl Future<Output = sqlx::Result<i64>> + Send;

    /// Runs saga `id` to its end from wherever its log says it is: the first
    /// run, and the resumption after a crash, are the same call. An error
    /// (a crash) leaves the saga resumable.
    fn drive(&self, id: i64) -> impl Future<Output = sqlx::Result<SagaEnd>> + Send;
}

/// Does `step` of `saga` on `conn`.
pub async fn perform(conn: &mut PgConnection, saga: &SagaRow, step: Step) -> Result<(), StepError> {
    let (query, refused) = match step {
        Step::ReserveItem => (
            sqlx::query("UPDATE saga_items SET stock = stock - 1 WHERE id = $1 AND stock >= 1")
                .bind(saga.item_id),
            "the item is out of stock",
        ),
        Step::ChargeWallet => (
            sqlx::query(
                "UPDATE saga_wallets SET balance = balance - $2 WHERE id = $1 AND balance >= $2",
            )
            .bind(saga.wallet_id)
            .bind(saga.amount),
            "the wallet has not enough money",
        ),
        Step::BookSlot => (
            sqlx::query("UPDATE saga_slots SET booked_by = $2 WHERE id = $1 AND booked_by IS NULL")
                .bind(saga.slot_id)
                .bind(saga.id),
            "the slot is taken",
        ),
    };
    if query.execute(conn).await?.rows_affected() == 0 {
        return Err(StepError::Refused(refused));
    }
    Ok(())
}

/// Undoes `step` of `saga` on `conn`. Run twice, it undoes twice (except
/// the slot's, which frees only the saga's own booking): the log is what
/// keeps it to once.
pub async fn compensate(conn: &mut PgConnection, saga: &SagaRow, step: Step) -> sqlx::Result<()> {
    let query = match step {
        Step::ReserveItem => {
            sqlx::query("UPDATE saga_items SET stock = stock + 1 WHERE id = $1").bind(saga.item_id)
        }
        Step::ChargeWallet => {
            sqlx::query("UPDATE saga_wallets SET balance = balance + $2 WHERE id = $1")
                .bind(saga.wallet_id)
                .bind(saga.amount)
        }
        Step::BookSlot => {
            sqlx::query("UPDATE saga_slots SET booked_by = NULL WHERE id = $1 AND booked_by = $2")
                .bind(saga.slot_id)
                .bind(saga.id)
        }
    };
    query.execute(conn).await.map(drop)
}

/// Reads saga `id`'s row.
pub async fn saga_row(conn: &mut PgConnection, id: i64) -> sqlx::Result<SagaRow> {
    sqlx::query_as(
        "SELECT id, item_id, wallet_id, slot_id, amount, state, failed_step FROM sagas WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}
