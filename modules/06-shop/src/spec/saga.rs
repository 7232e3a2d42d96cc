//! Spec of 06.4. Each check runs on a fresh PostgreSQL schema with an item
//! (5 in stock), a wallet (100) and a free slot per scenario; a saga
//! reserves one item, charges 30 and books the slot. Failures come from the
//! services themselves (no stock, no money, slot taken); crashes are
//! injected by a trigger that fails the log's write once, which rolls back
//! its transaction as a dying process would.

use super::erased::DynSagas;
use super::{OrFail, crash_once_on_insert};
use crate::MIGRATOR;
use crate::saga::{SagaEnd, SagaOrder, Step};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;

/// Makes the orchestrator on a pool.
pub type MakeSagas = fn(PgPool) -> Arc<dyn DynSagas>;

const STOCK: i32 = 5;
const BALANCE: i64 = 100;
const PRICE: i64 = 30;
/// The saga that holds a slot taken before ours.
const OTHER: i64 = 999;

/// The checks of 06.4.
pub fn checks(make: MakeSagas) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "a_saga_without_failure_completes",
            threads,
            a_saga_without_failure_completes(make),
        ),
        Check::new(
            "a_failure_at_each_step_undoes_the_others",
            threads,
            a_failure_at_each_step_undoes_the_others(make),
        ),
        Check::new(
            "a_crash_at_each_point_resumes",
            threads,
            a_crash_at_each_point_resumes(make),
        ),
    ]
}

async fn with_sagas<F, Fut>(make: MakeSagas, body: F)
where
    F: FnOnce(Arc<dyn DynSagas>, PgPool) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        body(make(pool.clone()), pool).await
    })
    .await;
}

/// Item, wallet and slot number `n`, set up so that `failing` is refused.
async fn setup(pool: &PgPool, n: i64, failing: Option<Step>) -> SagaOrder {
    let held = before(failing);
    let inserts = [
        sqlx::query("INSERT INTO saga_items VALUES ($1, $2)")
            .bind(n)
            .bind(held.stock),
        sqlx::query("INSERT INTO saga_wallets VALUES ($1, $2)")
            .bind(n)
            .bind(held.balance),
        sqlx::query("INSERT INTO saga_slots VALUES ($1, $2)")
            .bind(n)
            .bind(held.booked_by),
    ];
    for insert in inserts {
        insert
            .execute(pool)
            .await
            .or_fail(|| t!("spec-06-step-setting-up-the-services"));
    }
    SagaOrder {
        item: n,
        wallet: n,
        amount: PRICE,
        slot: n,
    }
}

/// What the three services hold for `order`: stock, balance, the slot's booker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Holdings {
    stock: i32,
    balance: i64,
    booked_by: Option<i64>,
}

async fn holdings(pool: &PgPool, order: SagaOrder) -> Holdings {
    let (stock, balance, booked_by) = sqlx::query_as(
        "SELECT (SELECT stock FROM saga_items WHERE id = $1),
                (SELECT balance FROM saga_wallets WHERE id = $2),
                (SELECT booked_by FROM saga_slots WHERE id = $3)",
    )
    .bind(order.item)
    .bind(order.wallet)
    .bind(order.slot)
    .fetch_one(pool)
    .await
    .or_fail(|| t!("spec-06-step-reading-the-services"));
    Holdings {
        stock,
        balance,
        booked_by,
    }
}

/// The saga's log as `do 1`, `undo 1`, ..., in the order written.
async fn log(pool: &PgPool, saga: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT action || ' ' || step FROM saga_log WHERE saga_id = $1 ORDER BY id")
        .bind(saga)
        .fetch_all(pool)
        .await
        .or_fail(|| t!("spec-06-step-reading-the-saga-log"))
}

/// What the services and the log must hold after a saga of `order` ended:
/// all three steps done, or, when `failed` was refused, everything as before.
async fn assert_end(pool: &PgPool, saga: i64, order: SagaOrder, failed: Option<Step>, what: &str) {
    let (expected, steps) = match failed {
        None => (
            Holdings {
                stock: STOCK - 1,
                balance: BALANCE - PRICE,
                booked_by: Some(saga),
            },
            vec!["do 1".to_string(), "do 2".into(), "do 3".into()],
        ),
        Some(step) => {
            let done: Vec<i32> = (1..step.number()).collect();
            let mut steps: Vec<String> = done.iter().map(|s| format!("do {s}")).collect();
            steps.extend(done.iter().rev().map(|s| format!("undo {s}")));
            (before(Some(step)), steps)
        }
    };
    let held = holdings(pool, order).await;
    assert_eq!(
        held,
        expected,
        "{}",
        t!(
            "spec-06-4-services-hold",
            what = what,
            held = format!("{held:?}"),
            expected = format!("{expected:?}"),
            why = match failed {
                None => t!("spec-06-4-every-step-once"),
                Some(s) => t!("spec-06-4-undo-exactly", step = format!("{s:?}")),
            }
        )
    );
    let written = log(pool, saga).await;
    assert_eq!(
        written,
        steps,
        "{}",
        t!(
            "spec-06-4-log-reads",
            what = what,
            written = format!("{written:?}"),
            steps = format!("{steps:?}")
        )
    );
}

/// The holdings of a scenario set up so that `failing` is refused, before
/// any saga.
fn before(failing: Option<Step>) -> Holdings {
    Holdings {
        stock: if failing == Some(Step::ReserveItem) {
            0
        } else {
            STOCK
        },
        balance: if failing == Some(Step::ChargeWallet) {
            10
        } else {
            BALANCE
        },
        booked_by: (failing == Some(Step::BookSlot)).then_some(OTHER),
    }
}

/// Drives `saga` and expects it to end as `failed` says.
async fn drive_to_end(sagas: &dyn DynSagas, saga: i64, failed: Option<Step>, what: &str) {
    let end = sagas.drive(saga).await;
    let expected = match failed {
        None => SagaEnd::Completed,
        Some(failed_step) => SagaEnd::Compensated { failed_step },
    };
    match end {
        Ok(end) => assert_eq!(end, expected, "{}", t!("spec-06-4-how-ended", what = what)),
        Err(e) => {
            panic!(
                "{}",
                t!(
                    "spec-06-4-drive-error",
                    what = what,
                    expected = format!("{expected:?}"),
                    error = e.to_string()
                )
            )
        }
    }
}

/// A saga with nothing refused completes: one item, 30 charged, the slot
/// booked, three steps in the log. Driven again, it changes nothing.
pub async fn a_saga_without_failure_completes(make: MakeSagas) {
    with_sagas(make, |sagas, pool| async move {
        let order = setup(&pool, 1, None).await;
        let saga = sagas
            .start(order)
            .await
            .or_fail(|| t!("spec-06-step-starting-a-saga"));
        drive_to_end(&*sagas, saga, None, &t!("spec-06-4-no-failure")).await;
        assert_end(&pool, saga, order, None, &t!("spec-06-4-completed")).await;
        let again = t!("spec-06-4-completed-again");
        drive_to_end(&*sagas, saga, None, &again).await;
        assert_end(&pool, saga, order, None, &again).await;
    })
    .await;
}

/// Each step in turn refused: the steps before it are compensated in
/// reverse order, and every stock, balance and slot is as before. Driven
/// again, nothing changes.
pub async fn a_failure_at_each_step_undoes_the_others(make: MakeSagas) {
    with_sagas(make, |sagas, pool| async move {
        for step in Step::ALL {
            let what = t!("spec-06-4-refused-at", step = format!("{step:?}"));
            let order = setup(&pool, step.number().into(), Some(step)).await;
            let saga = sagas
                .start(order)
                .await
                .or_fail(|| t!("spec-06-step-starting-a-saga"));
            drive_to_end(&*sagas, saga, Some(step), &what).await;
            assert_end(&pool, saga, order, Some(step), &what).await;
            drive_to_end(
                &*sagas,
                saga,
                Some(step),
                &t!("spec-06-4-driven-again", what = &what),
            )
            .await;
            assert_end(
                &pool,
                saga,
                order,
                Some(step),
                &t!("spec-06-4-driven-again", what = &what),
            )
            .await;
        }
    })
    .await;
}

/// A crash (the log's write fails once) at each point of a saga: doing
/// step 1, 2 or 3 of one that completes, undoing step 2 or 1 of one refused
/// at step 3. The crash reaches the caller; driving the saga again ends it
/// as if nothing had happened, and once more changes nothing.
pub async fn a_crash_at_each_point_resumes(make: MakeSagas) {
    with_sagas(make, |sagas, pool| async move {
        let points = [
            ("do", 1, None),
            ("do", 2, None),
            ("do", 3, None),
            ("undo", 2, Some(Step::BookSlot)),
            ("undo", 1, Some(Step::BookSlot)),
        ];
        for (n, (action, step, failing)) in (10..).zip(points) {
            let what = t!("spec-06-4-crash-while", action = action, step = step);
            let order = setup(&pool, n, failing).await;
            let saga = sagas
                .start(order)
                .await
                .or_fail(|| t!("spec-06-step-starting-a-saga"));
            crash_once_on_insert(
                &pool,
                &format!("crash_{n}"),
                "saga_log",
                &format!("NEW.saga_id = {saga} AND NEW.action = '{action}' AND NEW.step = {step}"),
            )
            .await;
            let crashed = sagas.drive(saga).await;
            assert!(
                crashed.is_err(),
                "{}",
                t!(
                    "spec-06-4-crash-reaches",
                    what = what,
                    got = format!("{crashed:?}")
                )
            );
            drive_to_end(&*sagas, saga, failing, &what).await;
            assert_end(&pool, saga, order, failing, &what).await;
            drive_to_end(
                &*sagas,
                saga,
                failing,
                &t!("spec-06-4-driven-again", what = &what),
            )
            .await;
            assert_end(
                &pool,
                saga,
                order,
                failing,
                &t!("spec-06-4-driven-again", what = &what),
            )
            .await;
        }
    })
    .await;
}
