//! Spec of 02.4. Each check runs on a fresh PostgreSQL schema with an
//! in-memory gateway that counts its charges: the number that must be one.
//! Crashes are injected without the code's help: the gateway loses a reply
//! after charging, and a trigger fails the write that moves a key to a
//! recovery point, which rolls its transaction back as a dying process would.

use super::erased::DynPayments;
use super::together;
use crate::MIGRATOR;
use crate::gateway::{Gateway, GatewayError};
use crate::payments::{PayError, PaymentReport, Receipt, payment_report};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::OrFail;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// Makes the payment service on a pool and a gateway.
pub type MakePayments = fn(PgPool, Arc<Gateway>) -> Arc<dyn DynPayments>;

/// How long the gateway takes to charge: duplicates arrive meanwhile.
const LATENCY: Duration = Duration::from_millis(5);
const DUPLICATES: usize = 50;
const ROUNDS: usize = 3;
const DAY: Duration = Duration::from_secs(24 * 3600);

/// The checks of 02.4.
pub fn checks(make: MakePayments) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "bad_amounts_and_reused_keys_are_refused",
            threads,
            bad_amounts_and_reused_keys_are_refused(make),
        ),
        Check::new(
            "fifty_duplicates_charge_once",
            threads,
            fifty_duplicates_charge_once(make),
        ),
        Check::new(
            "users_have_their_own_keys",
            threads,
            users_have_their_own_keys(make),
        ),
        Check::new(
            "a_lost_gateway_reply_is_not_charged_again",
            threads,
            a_lost_gateway_reply_is_not_charged_again(make),
        ),
        Check::new(
            "a_crash_before_the_receipt_is_stored_resumes",
            threads,
            a_crash_before_the_receipt_is_stored_resumes(make),
        ),
        Check::new(
            "a_crash_before_the_payment_is_created_starts_over",
            threads,
            a_crash_before_the_payment_is_created_starts_over(make),
        ),
        Check::new(
            "the_reaper_removes_only_old_keys",
            threads,
            the_reaper_removes_only_old_keys(make),
        ),
    ]
}

/// Runs `body` with the service on a fresh schema and a fresh gateway.
async fn with_payments<F, Fut>(make: MakePayments, body: F)
where
    F: FnOnce(Arc<dyn DynPayments>, Arc<Gateway>, PgPool) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        let gateway = Arc::new(Gateway::new(LATENCY));
        body(make(pool.clone(), gateway.clone()), gateway, pool).await;
    })
    .await;
}

async fn report(pool: &PgPool, user: &str) -> PaymentReport {
    payment_report(pool, user)
        .await
        .or_fail(|| t!("spec-02-4-reading"))
}

fn paid(result: Result<Receipt, PayError>, what: &str) -> Receipt {
    result.unwrap_or_else(|e| {
        panic!(
            "{}",
            t!("spec-02-4-must-succeed", what = what, error = e.to_string())
        )
    })
}

/// The gateway's charge count, with a failure that says what it means.
fn assert_charged(gateway: &Gateway, expected: usize, what: &str) {
    let charges = gateway.charges();
    assert_eq!(
        charges.len(),
        expected,
        "{}",
        t!(
            "spec-02-4-charged",
            what = what,
            charges = charges.len(),
            expected = expected,
            list = format!("{charges:?}")
        )
    );
}

/// Makes the next write that moves a key to `point` fail once, as if the
/// process died there. A sequence counts the attempts, because a sequence is
/// not rolled back with the failed transaction.
async fn crash_once_at(pool: &PgPool, point: &str) {
    let sql = format!(
        "CREATE SEQUENCE crash_{point};
         CREATE FUNCTION crash_{point}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF nextval('crash_{point}') = 1 THEN
             RAISE EXCEPTION 'injected crash on the way to {point}';
           END IF;
           RETURN NEW;
         END $$;
         CREATE TRIGGER crash_{point} BEFORE INSERT OR UPDATE OF recovery_point
           ON idempotency_keys FOR EACH ROW WHEN (NEW.recovery_point = '{point}')
           EXECUTE FUNCTION crash_{point}();"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await
        .or_fail(|| t!("spec-02-4-installing-trigger"));
}

/// Amounts of zero or less are refused before anything is written; a key
/// reused with another amount is refused and charges nothing.
pub async fn bad_amounts_and_reused_keys_are_refused(make: MakePayments) {
    with_payments(make, |payments, gateway, pool| async move {
        for amount in [0, -500] {
            let result = payments.pay("ann", "k1", amount).await;
            assert!(
                matches!(result, Err(PayError::InvalidAmount(a)) if a == amount),
                "{}",
                t!(
                    "spec-02-4-invalid-amount",
                    amount = amount,
                    got = format!("{result:?}")
                )
            );
        }
        assert_eq!(
            report(&pool, "ann").await.keys,
            0,
            "{}",
            t!("spec-02-4-refused-no-key")
        );
        let first = paid(
            payments.pay("ann", "k1", 1000).await,
            &t!("spec-02-4-first-payment"),
        );
        let reused = payments.pay("ann", "k1", 2000).await;
        assert!(
            matches!(reused, Err(PayError::KeyReused(ref k)) if k == "k1"),
            "{}",
            t!("spec-02-4-key-reused", got = format!("{reused:?}"))
        );
        let retry = paid(
            payments.pay("ann", "k1", 1000).await,
            &t!("spec-02-1-a-retry"),
        );
        assert_eq!(retry, first, "{}", t!("spec-02-4-first-receipt"));
        assert_charged(&gateway, 1, &t!("spec-02-4-charged-reused"));
    })
    .await;
}

/// 50 identical requests at once, three times over with a new key: one charge
/// each, and all 50 get the same receipt.
pub async fn fifty_duplicates_charge_once(make: MakePayments) {
    with_payments(make, |payments, gateway, pool| async move {
        for round in 1..=ROUNDS {
            let key = format!("retry-{round}");
            let answers = together(DUPLICATES, |_| {
                let (payments, key) = (payments.clone(), key.clone());
                async move { payments.pay("ann", &key, 1200).await }
            })
            .await;
            let failed: Vec<String> = answers
                .iter()
                .filter_map(|a| a.as_ref().err().map(|e| e.to_string()))
                .collect();
            assert!(
                failed.is_empty(),
                "{}",
                t!(
                    "spec-02-4-duplicates-failed",
                    round = round,
                    failed = failed.len(),
                    duplicates = DUPLICATES,
                    first = failed[0]
                )
            );
            let receipts: Vec<Receipt> = answers.into_iter().map(Result::unwrap).collect();
            let distinct = receipts.iter().filter(|r| **r != receipts[0]).count();
            assert_eq!(
                distinct,
                0,
                "{}",
                t!(
                    "spec-02-4-different-receipts",
                    round = round,
                    duplicates = DUPLICATES,
                    distinct = distinct,
                    first = format!("{:?}", receipts[0])
                )
            );
            assert_charged(
                &gateway,
                round,
                &t!(
                    "spec-02-4-charged-rounds",
                    round = round,
                    duplicates = DUPLICATES
                ),
            );
        }
        let report = report(&pool, "ann").await;
        let expected = ROUNDS as i64;
        assert_eq!(
            report,
            PaymentReport {
                payments: expected,
                keys: expected,
                finished: expected
            },
            "{}",
            t!("spec-02-4-rounds-report", rounds = ROUNDS)
        );
    })
    .await;
}

/// Two users with the same key make two payments, each replayed to its owner.
pub async fn users_have_their_own_keys(make: MakePayments) {
    with_payments(make, |payments, gateway, _pool| async move {
        let ann = paid(
            payments.pay("ann", "order-7", 1000).await,
            &t!("spec-02-4-anns-payment"),
        );
        let bob = payments.pay("bob", "order-7", 2500).await;
        let bob = match bob {
            Ok(receipt) => receipt,
            Err(e) => panic!("{}", t!("spec-02-4-bob-error", error = e.to_string())),
        };
        assert!(
            bob != ann && bob.amount == 2500,
            "{}",
            t!(
                "spec-02-4-bob-got-anns",
                bob = format!("{bob:?}"),
                ann = format!("{ann:?}")
            )
        );
        for (user, amount, mine) in [("ann", 1000, &ann), ("bob", 2500, &bob)] {
            let retry = paid(
                payments.pay(user, "order-7", amount).await,
                &t!("spec-02-1-a-retry"),
            );
            assert_eq!(&retry, mine, "{}", t!("spec-02-4-own-receipt", user = user));
        }
        assert_charged(&gateway, 2, &t!("spec-02-4-charged-users"));
    })
    .await;
}

/// The gateway charges and the reply is lost: the request fails; its retry
/// gets a receipt and the card is charged once.
pub async fn a_lost_gateway_reply_is_not_charged_again(make: MakePayments) {
    with_payments(make, |payments, gateway, pool| async move {
        gateway.lose_next_reply();
        let first = payments.pay("ann", "k1", 1500).await;
        assert!(
            matches!(first, Err(PayError::Gateway(GatewayError::Timeout))),
            "{}",
            t!("spec-02-4-lost-timeout", got = format!("{first:?}"))
        );
        let retry = paid(
            payments.pay("ann", "k1", 1500).await,
            &t!("spec-02-4-retry-after-lost"),
        );
        assert_charged(&gateway, 1, &t!("spec-02-4-charged-lost"));
        assert_eq!(
            retry.charge,
            gateway.charges()[0].id,
            "{}",
            t!("spec-02-4-names-charge")
        );
        let again = paid(
            payments.pay("ann", "k1", 1500).await,
            &t!("spec-02-1-second-retry"),
        );
        assert_eq!(again, retry, "{}", t!("spec-02-4-same-receipt"));
        assert_eq!(
            report(&pool, "ann").await,
            PaymentReport {
                payments: 1,
                keys: 1,
                finished: 1
            },
            "{}",
            t!("spec-02-4-lost-report")
        );
    })
    .await;
}

/// Asserts that the first attempt died at the injected crash.
fn assert_crashed(first: &Result<Receipt, PayError>, point: &str) {
    assert!(
        matches!(first, Err(PayError::Db(_))),
        "{}",
        t!(
            "spec-02-4-crashed",
            point = point,
            got = format!("{first:?}")
        )
    );
}

/// The process dies after the gateway charged, before the receipt is stored:
/// the retry resumes at `payment_created` and charges the same reference.
pub async fn a_crash_before_the_receipt_is_stored_resumes(make: MakePayments) {
    with_payments(make, |payments, gateway, pool| async move {
        crash_once_at(&pool, "finished").await;
        let first = payments.pay("ann", "k1", 1800).await;
        assert_crashed(&first, "finished");
        let retry = paid(
            payments.pay("ann", "k1", 1800).await,
            &t!("spec-02-4-retry-after-crash"),
        );
        assert_charged(&gateway, 1, &t!("spec-02-4-charged-crash-after"));
        assert_eq!(retry.amount, 1800, "{}", t!("spec-02-4-receipt-amount"));
        let report = report(&pool, "ann").await;
        assert_eq!(
            report.payments,
            1,
            "{}",
            t!("spec-02-4-crash-payments", payments = report.payments)
        );
    })
    .await;
}

/// The process dies while creating the payment: that transaction rolls back
/// whole, and the retry does everything once.
pub async fn a_crash_before_the_payment_is_created_starts_over(make: MakePayments) {
    with_payments(make, |payments, gateway, pool| async move {
        crash_once_at(&pool, "payment_created").await;
        let first = payments.pay("ann", "k1", 700).await;
        assert_crashed(&first, "payment_created");
        assert!(
            gateway.charges().is_empty(),
            "{}",
            t!("spec-02-4-charged-before-row")
        );
        paid(
            payments.pay("ann", "k1", 700).await,
            &t!("spec-02-4-retry-after-crash"),
        );
        assert_charged(&gateway, 1, &t!("spec-02-4-charged-crash-before"));
        assert_eq!(
            report(&pool, "ann").await,
            PaymentReport {
                payments: 1,
                keys: 1,
                finished: 1
            },
            "{}",
            t!("spec-02-4-crash-before-report")
        );
    })
    .await;
}

/// Keys of several ages; the reaper with a day's retention deletes the two
/// older than a day and nothing else, and no payment.
pub async fn the_reaper_removes_only_old_keys(make: MakePayments) {
    with_payments(make, |payments, gateway, pool| async move {
        let ages_in_minutes = [30, 60 * 23, 60 * 25, 60 * 48, 1];
        let mut receipts = Vec::new();
        for (i, minutes) in ages_in_minutes.iter().enumerate() {
            let key = format!("k{i}");
            receipts.push(paid(
                payments.pay("ann", &key, 100).await,
                &t!("spec-02-4-a-payment"),
            ));
            sqlx::query(
                "UPDATE idempotency_keys SET created_at = now() - make_interval(mins => $2)
                  WHERE key = $1",
            )
            .bind(&key)
            .bind(minutes)
            .execute(&pool)
            .await
            .or_fail(|| t!("spec-02-4-ageing"));
        }
        let reaped = payments.reap(DAY).await.or_fail(|| t!("spec-02-4-reaper"));
        assert_eq!(reaped, 2, "{}", t!("spec-02-4-reaped", reaped = reaped));
        let report = report(&pool, "ann").await;
        assert_eq!(
            (report.keys, report.payments),
            (3, 5),
            "{}",
            t!(
                "spec-02-4-after-reaping",
                keys = report.keys,
                payments = report.payments
            )
        );
        let retry = paid(
            payments.pay("ann", "k1", 100).await,
            &t!("spec-02-4-retry-kept"),
        );
        assert_eq!(retry, receipts[1], "{}", t!("spec-02-4-kept-answers"));
        assert_charged(&gateway, 5, &t!("spec-02-4-charged-kept"));
    })
    .await;
}
