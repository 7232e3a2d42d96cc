//! 06.4: orchestrators that almost work. They share one engine ([`Engine`]:
//! a turn per transaction, the saga's row locked, the log read) and differ
//! in which steps they undo, in what order, and where the log is written.

use crate::saga::{
    SagaEnd, SagaOrder, SagaRow, Sagas, Step, StepError, compensate, perform, saga_row,
};
use sqlx::{PgConnection, PgPool};

/// Records a new saga.
pub(crate) async fn insert(pool: &PgPool, order: SagaOrder) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO sagas (item_id, wallet_id, slot_id, amount) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(order.item)
    .bind(order.wallet)
    .bind(order.slot)
    .bind(order.amount)
    .fetch_one(pool)
    .await
}

/// Which steps a failed saga undoes, in what order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Undo {
    /// The steps done and not undone, last first: right.
    DoneLastFirst,
    DoneFirstFirst,
    /// All three, last first, whether they were done or not.
    Everything,
}

struct Engine {
    pool: PgPool,
    undo: Undo,
    /// The step commits on its own connection; then the log is written.
    log_apart: bool,
}

impl Engine {
    async fn drive(&self, id: i64) -> sqlx::Result<SagaEnd> {
        loop {
            let mut tx = self.pool.begin().await?;
            sqlx::query("SELECT 1 FROM sagas WHERE id = $1 FOR UPDATE")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let saga = saga_row(&mut tx, id).await?;
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
                    Some(step) => match self.perform(&mut tx, &saga, step).await {
                        Ok(()) => write_log(&mut tx, id, step, "do").await?,
                        Err(StepError::Refused(_)) => {
                            set_state(&mut tx, id, "compensating", Some(step)).await?
                        }
                        Err(StepError::Db(e)) => return Err(e),
                    },
                },
                _ => {
                    let mut undo: Vec<Step> = Step::ALL
                        .into_iter()
                        .filter(|s| !logged(*s, "undo"))
                        .filter(|s| self.undo == Undo::Everything || logged(*s, "do"))
                        .collect();
                    if self.undo != Undo::DoneFirstFirst {
                        undo.reverse();
                    }
                    match undo.first() {
                        None => set_state(&mut tx, id, "compensated", failed).await?,
                        Some(&step) => {
                            self.compensate(&mut tx, &saga, step).await?;
                            write_log(&mut tx, id, step, "undo").await?;
                        }
                    }
                }
            }
            tx.commit().await?;
        }
    }

    async fn perform(
        &self,
        tx: &mut PgConnection,
        saga: &SagaRow,
        step: Step,
    ) -> Result<(), StepError> {
        if self.log_apart {
            perform(&mut *self.pool.acquire().await?, saga, step).await
        } else {
            perform(tx, saga, step).await
        }
    }

    async fn compensate(
        &self,
        tx: &mut PgConnection,
        saga: &SagaRow,
        step: Step,
    ) -> sqlx::Result<()> {
        if self.log_apart {
            compensate(&mut *self.pool.acquire().await?, saga, step).await
        } else {
            compensate(tx, saga, step).await
        }
    }
}

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

/// An orchestrator on the engine, with its knobs.
macro_rules! orchestrator {
    ($(#[$doc:meta])* $name:ident, undo: $undo:expr, log_apart: $apart:expr) => {
        $(#[$doc])*
        pub struct $name(Engine);

        impl Sagas for $name {
            fn new(pool: PgPool) -> Self {
                $name(Engine {
                    pool,
                    undo: $undo,
                    log_apart: $apart,
                })
            }

            async fn start(&self, order: SagaOrder) -> sqlx::Result<i64> {
                insert(&self.0.pool, order).await
            }

            async fn drive(&self, id: i64) -> sqlx::Result<SagaEnd> {
                self.0.drive(id).await
            }
        }
    };
}

// ANCHOR: compensate_everything
orchestrator!(
    /// On a failure, undo all three steps, last first: simpler than reading
    /// which were done. But undoing a step never done gives back what was
    /// never taken: refused at the first step, the saga adds an item to the
    /// stock and 30 to the wallet.
    CompensateEverything, undo: Undo::Everything, log_apart: false);
// ANCHOR_END: compensate_everything

// ANCHOR: compensate_forwards
orchestrator!(
    /// The steps done are undone, each once, but first step first. The
    /// totals come out right here; with real services, the item is released
    /// while the money for it is still taken, and a later step's undo may
    /// depend on an earlier step still standing.
    CompensateForwards, undo: Undo::DoneFirstFirst, log_apart: false);
// ANCHOR_END: compensate_forwards

// ANCHOR: log_apart
orchestrator!(
    /// Each step commits on its own, then the log says so. A crash between
    /// the two leaves a step done that the log does not know about: the
    /// resumed saga does it again (a second item, a second charge), or
    /// undoes it twice.
    LogApart, undo: Undo::DoneLastFirst, log_apart: true);
// ANCHOR_END: log_apart
