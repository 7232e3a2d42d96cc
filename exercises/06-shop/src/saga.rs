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

use racecourse_06::saga::{SagaEnd, SagaOrder, Sagas};
use sqlx::PgPool;

pub struct PgSagas {
    pool: PgPool,
}

impl Sagas for PgSagas {
    fn new(pool: PgPool) -> Self {
        PgSagas { pool }
    }

    async fn start(&self, order: SagaOrder) -> sqlx::Result<i64> {
        let _pool = &self.pool;
        todo!("06.4 exercises/06-shop/src/saga.rs: PgSagas::start({order:?})")
    }

    async fn drive(&self, id: i64) -> sqlx::Result<SagaEnd> {
        todo!("06.4 exercises/06-shop/src/saga.rs: PgSagas::drive({id})")
    }
}
