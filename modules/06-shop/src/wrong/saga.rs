//! 06.4: orchestrators that almost work. They share the right one's turns
//! ([`Turns`]: a transaction per turn, the saga's row locked, its log read,
//! one step done or undone and logged in that transaction); each overrides
//! one of its steps: which step to undo next, or where a step runs.

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

/// What a turn does to a step, as its log row says it.
#[derive(Clone, Copy)]
enum Action {
    Do,
    Undo,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Do => "do",
            Action::Undo => "undo",
        }
    }

    /// Does or undoes `step` of `saga` on `conn`: `false` when the service
    /// refused the step (an undo is never refused).
    async fn apply(
        self,
        conn: &mut PgConnection,
        saga: &SagaRow,
        step: Step,
    ) -> sqlx::Result<bool> {
        match self {
            Action::Undo => compensate(conn, saga, step).await.map(|()| true),
            Action::Do => match perform(conn, saga, step).await {
                Ok(()) => Ok(true),
                Err(StepError::Refused(_)) => Ok(false),
                Err(StepError::Db(e)) => Err(e),
            },
        }
    }
}

/// A saga's log, as read in a turn.
struct Log(Vec<(i32, String)>);

impl Log {
    async fn read(conn: &mut PgConnection, id: i64) -> sqlx::Result<Log> {
        sqlx::query_as("SELECT step, action FROM saga_log WHERE saga_id = $1")
            .bind(id)
            .fetch_all(conn)
            .await
            .map(Log)
    }

    fn has(&self, step: Step, action: Action) -> bool {
        self.0
            .iter()
            .any(|(s, a)| *s == step.number() && a == action.as_str())
    }
}

/// The right orchestrator's steps: each wrong fix below overrides one.
trait Turns: AsRef<PgPool> + Sync {
    /// The step to undo next: the last one done and not yet undone.
    fn next_undo(log: &Log) -> Option<Step> {
        Step::ALL
            .into_iter()
            .rev()
            .find(|s| log.has(*s, Action::Do) && !log.has(*s, Action::Undo))
    }

    /// Does or undoes `step` in the turn's transaction, the one that logs it.
    fn act(
        &self,
        tx: &mut PgConnection,
        saga: &SagaRow,
        step: Step,
        action: Action,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send {
        action.apply(tx, saga, step)
    }
}

/// Drives saga `id` to its end, a turn per transaction.
async fn run<T: Turns>(turns: &T, id: i64) -> sqlx::Result<SagaEnd> {
    loop {
        let mut tx = turns.as_ref().begin().await?;
        sqlx::query("SELECT 1 FROM sagas WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let saga = saga_row(&mut tx, id).await?;
        let log = Log::read(&mut tx, id).await?;
        let failed = saga.failed_step.and_then(Step::from_number);
        match (saga.state.as_str(), failed) {
            ("completed", _) => return Ok(SagaEnd::Completed),
            ("compensated", Some(failed_step)) => {
                return Ok(SagaEnd::Compensated { failed_step });
            }
            ("running", _) => forward(turns, &mut tx, &saga, &log).await?,
            _ => back(turns, &mut tx, &saga, &log, failed).await?,
        }
        tx.commit().await?;
    }
}

/// Running: the next step not done, logged; or the saga completed, or
/// turned to compensating when the step is refused.
async fn forward<T: Turns>(
    turns: &T,
    tx: &mut PgConnection,
    saga: &SagaRow,
    log: &Log,
) -> sqlx::Result<()> {
    let Some(step) = Step::ALL.into_iter().find(|s| !log.has(*s, Action::Do)) else {
        return set_state(tx, saga.id, "completed", None).await;
    };
    if turns.act(tx, saga, step, Action::Do).await? {
        write_log(tx, saga.id, step, Action::Do).await
    } else {
        set_state(tx, saga.id, "compensating", Some(step)).await
    }
}

/// Compensating: the next step to undo, undone and logged; or, none left,
/// the saga compensated.
async fn back<T: Turns>(
    turns: &T,
    tx: &mut PgConnection,
    saga: &SagaRow,
    log: &Log,
    failed: Option<Step>,
) -> sqlx::Result<()> {
    let Some(step) = T::next_undo(log) else {
        return set_state(tx, saga.id, "compensated", failed).await;
    };
    turns.act(tx, saga, step, Action::Undo).await?;
    write_log(tx, saga.id, step, Action::Undo).await
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

async fn write_log(
    conn: &mut PgConnection,
    id: i64,
    step: Step,
    action: Action,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO saga_log (saga_id, step, action) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(step.number())
        .bind(action.as_str())
        .execute(conn)
        .await
        .map(drop)
}

/// Each wrong fix is a pool with [`Turns`] of its own: this makes them
/// [`Sagas`].
macro_rules! sagas_over_turns {
    ($($name:ident),*) => {$(
        pub struct $name(PgPool);

        impl AsRef<PgPool> for $name {
            fn as_ref(&self) -> &PgPool {
                &self.0
            }
        }

        impl Sagas for $name {
            fn new(pool: PgPool) -> Self {
                $name(pool)
            }

            async fn start(&self, order: SagaOrder) -> sqlx::Result<i64> {
                insert(&self.0, order).await
            }

            async fn drive(&self, id: i64) -> sqlx::Result<SagaEnd> {
                run(self, id).await
            }
        }
    )*};
}

sagas_over_turns!(CompensateEverything, CompensateForwards, LogApart);

// ANCHOR: compensate_everything
/// On a failure, undo all three steps, last first: simpler than reading
/// which were done. But undoing a step never done gives back what was
/// never taken: refused at the first step, the saga adds an item to the
/// stock and 30 to the wallet.
impl Turns for CompensateEverything {
    fn next_undo(log: &Log) -> Option<Step> {
        Step::ALL
            .into_iter()
            .rev()
            .find(|s| !log.has(*s, Action::Undo))
    }
}
// ANCHOR_END: compensate_everything

// ANCHOR: compensate_forwards
/// The steps done are undone, each once, but first step first. The
/// totals come out right here; with real services, the item is released
/// while the money for it is still taken, and a later step's undo may
/// depend on an earlier step still standing.
impl Turns for CompensateForwards {
    fn next_undo(log: &Log) -> Option<Step> {
        Step::ALL
            .into_iter()
            .find(|s| log.has(*s, Action::Do) && !log.has(*s, Action::Undo))
    }
}
// ANCHOR_END: compensate_forwards

// ANCHOR: log_apart
/// Each step commits on its own, then the log says so. A crash between
/// the two leaves a step done that the log does not know about: the
/// resumed saga does it again (a second item, a second charge), or
/// undoes it twice.
impl Turns for LogApart {
    async fn act(
        &self,
        _tx: &mut PgConnection,
        saga: &SagaRow,
        step: Step,
        action: Action,
    ) -> sqlx::Result<bool> {
        action
            .apply(&mut *self.0.acquire().await?, saga, step)
            .await
    }
}
// ANCHOR_END: log_apart
