//! # 06.4 Saga (PostgreSQL): compensations in reverse, resumed from the log
//!
//! **The race.** Reserve an item, charge a wallet, book a slot: three
//! services, no transaction around them all. When the slot is taken, the
//! item and the money must be given back; when the process dies halfway,
//! someone must know how far it got, and nothing may be done or undone twice.
//!
//! **Your task.** `start` records the saga (`running`). `drive` loops, one
//! transaction per turn: lock the saga's row, read its log, then do the
//! next step not done (`perform`) and log `do` in the same transaction; or,
//! when a step is refused, mark the saga `compensating` with its
//! `failed_step`; or, compensating, undo the last step done and not undone
//! (`compensate`) and log `undo`, in the same transaction; or mark it
//! `completed` / `compensated` and return.
//!
//! **The spec checks**, on a real PostgreSQL: a saga with no failure
//! completes; a failure at each step in turn leaves every stock, balance and
//! slot as before, undone in reverse order; a crash injected at each log
//! write is resumed by driving again, to the same end, and a further drive
//! changes nothing.
//!
//! Run `cargo xtask test 06.4`; stuck? `cargo xtask hint 06.4`.

use racecourse_06::saga::{
    SagaEnd, SagaOrder, SagaRow, Sagas, Step, StepError, compensate, perform,
};
use sqlx::{PgConnection, PgPool};

pub struct PgSagas {
    pool: PgPool,
}

// ANCHOR: drive
impl Sagas for PgSagas {
    fn new(pool: PgPool) -> Self {
        PgSagas { pool }
    }

    async fn start(&self, order: SagaOrder) -> sqlx::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO sagas (item_id, wallet_id, slot_id, amount) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(order.item)
        .bind(order.wallet)
        .bind(order.slot)
        .bind(order.amount)
        .fetch_one(&self.pool)
        .await
    }

    async fn drive(&self, id: i64) -> sqlx::Result<SagaEnd> {
        loop {
            let mut tx = self.pool.begin().await?;
            let saga: SagaRow = sqlx::query_as(
                "SELECT id, item_id, wallet_id, slot_id, amount, state, failed_step
                   FROM sagas WHERE id = $1 FOR UPDATE",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let log: Vec<(i32, String)> =
                sqlx::query_as("SELECT step, action FROM saga_log WHERE saga_id = $1")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
            let logged = |step: Step, action: &str| {
                log.iter().any(|(s, a)| *s == step.number() && a == action)
            };
            let failed = saga.failed_step.and_then(Step::from_number);
            match (saga.state.as_str(), failed) {
                ("completed", _) => return Ok(SagaEnd::Completed),
                ("compensated", Some(failed_step)) => {
                    return Ok(SagaEnd::Compensated { failed_step });
                }
                ("running", _) => match Step::ALL.into_iter().find(|s| !logged(*s, "do")) {
                    None => set_state(&mut tx, id, "completed", None).await?,
                    Some(step) => match perform(&mut tx, &saga, step).await {
                        Ok(()) => write_log(&mut tx, id, step, "do").await?,
                        Err(StepError::Refused(_)) => {
                            set_state(&mut tx, id, "compensating", Some(step)).await?
                        }
                        Err(StepError::Db(e)) => return Err(e),
                    },
                },
                _ => {
                    let last = Step::ALL
                        .into_iter()
                        .rev()
                        .find(|s| logged(*s, "do") && !logged(*s, "undo"));
                    match last {
                        None => set_state(&mut tx, id, "compensated", failed).await?,
                        Some(step) => {
                            compensate(&mut tx, &saga, step).await?;
                            write_log(&mut tx, id, step, "undo").await?;
                        }
                    }
                }
            }
            tx.commit().await?;
        }
    }
}
// ANCHOR_END: drive

async fn set_state(
    conn: &mut PgConnection,
    id: i64,
    state: &str,
    failed: Option<Step>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE sagas SET state = $2, failed_step = $3 WHERE id = $1")
        .bind(id)
        .bind(state)
        .bind(failed.map(Step::number))
        .execute(conn)
        .await
        .map(drop)
}

async fn write_log(conn: &mut PgConnection, id: i64, step: Step, action: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO saga_log (saga_id, step, action) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(step.number())
        .bind(action)
        .execute(conn)
        .await
        .map(drop)
}
