//! # 02.4 Exactly-once payment (PostgreSQL)
//!
//! **The race.** A client whose payment timed out retries it: with a payment
//! per request, that is a second charge. Keeping the key next to the payment
//! is not enough either: the gateway that moves the money is outside every
//! transaction of ours, and a request can die after the gateway charged and
//! before we wrote that down. Its retry must not charge again.
//!
//! **Your task.** Walk the key's recovery points (`started`,
//! `payment_created`, `finished`; see migrations/0001_payments.sql in
//! modules/02-idempotency), one transaction per step:
//! claim `(user, key)` with `INSERT ... ON CONFLICT DO NOTHING`, lock its row
//! (`SELECT ... FOR UPDATE`) and compare the amount; at `started` create the
//! payment and move to `payment_created` in one transaction; at
//! `payment_created` charge the gateway with the payment's reference
//! (`pay_<payment id>`), store the receipt (`Receipt::to_json`) and move to
//! `finished`; at `finished` answer the stored receipt. `reap` deletes the
//! keys older than the retention.
//!
//! **The spec checks**, on a real PostgreSQL: bad amounts and a reused key are
//! refused; 50 identical requests at once charge once and all get the same
//! receipt (three rounds); two users with one key pay twice; after a lost
//! gateway reply, and after a crash injected before each recovery point, the
//! retry charges once; the reaper deletes only keys older than a day.
//!
//! Run `cargo xtask test 02.4`; stuck? `cargo xtask hint 02.4`.

use racecourse_02::gateway::Gateway;
use racecourse_02::payments::{PayError, Payments, Receipt};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

pub struct PgPayments {
    pool: PgPool,
    gateway: Arc<Gateway>,
}

impl Payments for PgPayments {
    fn new(pool: PgPool, gateway: Arc<Gateway>) -> Self {
        PgPayments { pool, gateway }
    }

    async fn pay(&self, user: &str, key: &str, amount: i64) -> Result<Receipt, PayError> {
        let (_pool, _gateway) = (&self.pool, &self.gateway);
        todo!(
            "02.4 exercises/02-idempotency/src/payments.rs: PgPayments::pay({user}, {key}, {amount})"
        )
    }

    /// Deletes the keys created before `now() - retention`.
    async fn reap(&self, retention: Duration) -> sqlx::Result<u64> {
        todo!("02.4 exercises/02-idempotency/src/payments.rs: PgPayments::reap({retention:?})")
    }
}
