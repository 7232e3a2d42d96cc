//! 06.4, naive: the three steps one after the other, and a refusal reported
//! to the caller. Nothing done before the refusal is undone: the item stays
//! reserved and the money stays taken for a booking that never happened.

use crate::saga::{SagaEnd, SagaOrder, Sagas, Step, StepError, perform, saga_row};
use sqlx::PgPool;

pub struct NoCompensation {
    pool: PgPool,
}

// ANCHOR: naive
impl Sagas for NoCompensation {
    fn new(pool: PgPool) -> Self {
        NoCompensation { pool }
    }

    async fn start(&self, order: SagaOrder) -> sqlx::Result<i64> {
        crate::wrong::saga::insert(&self.pool, order).await
    }

    async fn drive(&self, id: i64) -> sqlx::Result<SagaEnd> {
        let mut conn = self.pool.acquire().await?;
        let saga = saga_row(&mut conn, id).await?;
        for step in Step::ALL {
            match perform(&mut conn, &saga, step).await {
                Ok(()) => {}
                Err(StepError::Refused(_)) => {
                    return Ok(SagaEnd::Compensated { failed_step: step });
                }
                Err(StepError::Db(e)) => return Err(e),
            }
        }
        Ok(SagaEnd::Completed)
    }
}
// ANCHOR_END: naive
