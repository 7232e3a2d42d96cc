//! Spec of 06.2. Each check runs on a fresh PostgreSQL schema. Concurrent
//! readers watch the bank's total while transfers run; a trigger fails a
//! ledger write once, as a crash would, to prove the balance and its ledger
//! row commit together.

use super::erased::DynWallet;
use super::{OrFail, crash_once_on_insert, together};
use crate::MIGRATOR;
use crate::wallet::{AccountReport, WalletError, account_report, open_account};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Makes the wallet on a pool.
pub type MakeWallet = fn(PgPool) -> Arc<dyn DynWallet>;

const DEBITS: usize = 100;
const ROUNDS: i64 = 3;
const ACCOUNTS: i64 = 10;
const OPENING: i64 = 1000;
const MOVERS: usize = 8;
const TRANSFERS_EACH: usize = 40;
const READERS: usize = 2;
const OPPOSITE_PAIRS: usize = 5;

/// The checks of 06.2.
pub fn checks(make: MakeWallet) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "refusals_move_nothing",
            threads,
            refusals_move_nothing(make),
        ),
        Check::new(
            "hundred_debits_of_ten_from_five_hundred",
            threads,
            hundred_debits_of_ten_from_five_hundred(make),
        ),
        Check::new(
            "a_failed_ledger_write_moves_nothing",
            threads,
            a_failed_ledger_write_moves_nothing(make),
        ),
        Check::new(
            "transfers_keep_the_total",
            threads,
            transfers_keep_the_total(make),
        ),
        Check::new(
            "opposite_transfers_do_not_deadlock",
            threads,
            opposite_transfers_do_not_deadlock(make),
        ),
    ]
}

/// Runs `body` with the wallet on a fresh schema with `accounts` opened at
/// `opening` each, numbered from 1.
async fn with_wallet<F, Fut>(make: MakeWallet, accounts: i64, opening: i64, body: F)
where
    F: FnOnce(Arc<dyn DynWallet>, PgPool) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        for account in 1..=accounts {
            open_account(&pool, account, opening)
                .await
                .or_fail(|| t!("spec-06-step-opening-an-account"));
        }
        body(make(pool.clone()), pool).await;
    })
    .await;
}

async fn report(pool: &PgPool, account: i64) -> AccountReport {
    account_report(pool, account)
        .await
        .or_fail(|| t!("spec-06-step-reading-an-account"))
}

/// The balance is what the ledger says.
fn assert_ledger_matches(report: &AccountReport, account: i64, what: &str) {
    assert_eq!(
        report.ledger_sum,
        report.balance,
        "{}",
        t!(
            "spec-06-2-ledger-matches",
            what = what,
            account = account,
            balance = report.balance,
            sum = report.ledger_sum
        )
    );
}

/// Bad amounts, unknown accounts, one account twice, and an overdraft are
/// refused and move nothing; an exact debit to zero is accepted.
pub async fn refusals_move_nothing(make: MakeWallet) {
    with_wallet(make, 2, 20, |wallet, pool| async move {
        for amount in [0, -5] {
            let r = wallet.debit(1, amount).await;
            assert!(
                matches!(r, Err(WalletError::InvalidAmount(a)) if a == amount),
                "{}",
                t!(
                    "spec-06-2-invalid-amount",
                    amount = amount,
                    got = format!("{r:?}")
                )
            );
        }
        let r = wallet.debit(9, 5).await;
        assert!(
            matches!(r, Err(WalletError::UnknownAccount(9))),
            "{}",
            t!("spec-06-2-unknown-debit", got = format!("{r:?}"))
        );
        let r = wallet.transfer(1, 1, 5).await;
        assert!(
            matches!(r, Err(WalletError::SameAccount)),
            "{}",
            t!("spec-06-2-same-account", got = format!("{r:?}"))
        );
        let r = wallet.transfer(1, 9, 5).await;
        assert!(
            matches!(r, Err(WalletError::UnknownAccount(9))),
            "{}",
            t!("spec-06-2-unknown-transfer", got = format!("{r:?}"))
        );
        let r = wallet.debit(1, 30).await;
        assert!(
            matches!(r, Err(WalletError::Insufficient(1))),
            "{}",
            t!("spec-06-2-debit-insufficient", got = format!("{r:?}"))
        );
        let r = wallet.transfer(1, 2, 30).await;
        assert!(
            matches!(r, Err(WalletError::Insufficient(1))),
            "{}",
            t!("spec-06-2-transfer-insufficient", got = format!("{r:?}"))
        );
        let r = wallet.debit(1, 20).await;
        assert!(
            matches!(r, Ok(0)),
            "{}",
            t!("spec-06-2-leave-zero", got = format!("{r:?}"))
        );
        for account in [1, 2] {
            let report = report(&pool, account).await;
            assert_ledger_matches(&report, account, &t!("spec-06-2-after-refusals"));
        }
        assert_eq!(
            report(&pool, 2).await.balance,
            20,
            "{}",
            t!("spec-06-2-never-touched")
        );
    })
    .await;
}

/// 100 debits of 10 at once from 500: exactly 50 succeed, the balance ends
/// at 0, never below, with 50 ledger rows. Three rounds, an account each.
pub async fn hundred_debits_of_ten_from_five_hundred(make: MakeWallet) {
    with_wallet(make, ROUNDS, 500, |wallet, pool| async move {
        for account in 1..=ROUNDS {
            let results = together(DEBITS, |_| {
                let wallet = wallet.clone();
                async move { wallet.debit(account, 10).await }
            })
            .await;
            let ok = results.iter().filter(|r| r.is_ok()).count();
            let refused = results
                .iter()
                .filter(|r| matches!(r, Err(WalletError::Insufficient(_))))
                .count();
            let report = report(&pool, account).await;
            assert_eq!(
                (ok, refused, report.balance),
                (50, 50, 0),
                "{}",
                t!(
                    "spec-06-2-fifty-debits",
                    account = account,
                    debits = DEBITS,
                    ok = ok,
                    refused = refused,
                    balance = report.balance
                )
            );
            assert_ledger_matches(&report, account, &t!("spec-06-2-round", account = account));
            assert_eq!(
                report.debits,
                50,
                "{}",
                t!("spec-06-2-row-per-debit", account = account)
            );
        }
    })
    .await;
}

/// A debit, and a transfer, whose ledger row fails to be written (a crash
/// injected by a trigger) move no money; the same call again succeeds.
pub async fn a_failed_ledger_write_moves_nothing(make: MakeWallet) {
    with_wallet(make, 2, 100, |wallet, pool| async move {
        crash_once_on_insert(&pool, "crash_debit", "ledger", "NEW.amount = -13").await;
        let r = wallet.debit(1, 13).await;
        assert!(
            matches!(r, Err(WalletError::Db(_))),
            "{}",
            t!("spec-06-2-debit-db", got = format!("{r:?}"))
        );
        assert_ledger_matches(
            &report(&pool, 1).await,
            1,
            &t!("spec-06-2-after-failed-debit"),
        );
        crash_once_on_insert(
            &pool,
            "crash_credit",
            "ledger",
            "NEW.kind = 'transfer' AND NEW.amount = 17",
        )
        .await;
        let r = wallet.transfer(1, 2, 17).await;
        assert!(
            matches!(r, Err(WalletError::Db(_))),
            "{}",
            t!("spec-06-2-transfer-db", got = format!("{r:?}"))
        );
        for account in [1, 2] {
            let report = report(&pool, account).await;
            assert_ledger_matches(&report, account, &t!("spec-06-2-after-failed-transfer"));
            assert_eq!(
                report.balance,
                100,
                "{}",
                t!("spec-06-2-nothing-may-move", account = account)
            );
        }
        assert!(
            wallet.debit(1, 13).await.is_ok(),
            "{}",
            t!("spec-06-2-debit-again")
        );
        assert!(
            wallet.transfer(1, 2, 17).await.is_ok(),
            "{}",
            t!("spec-06-2-transfer-again")
        );
        let (one, two) = (report(&pool, 1).await, report(&pool, 2).await);
        assert_eq!(
            (one.balance, two.balance),
            (70, 117),
            "{}",
            t!("spec-06-2-after-13-and-17")
        );
    })
    .await;
}

/// A small deterministic generator: the same transfers on every run.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

/// 8 tasks make 40 transfers each between 10 accounts while 2 readers sum
/// the balances in one statement, again and again: every reading sees the
/// whole total and no negative balance; each transfer's two ledger rows
/// come from one transaction; every ledger matches its balance.
pub async fn transfers_keep_the_total(make: MakeWallet) {
    with_wallet(make, ACCOUNTS, OPENING, |wallet, pool| async move {
        let total = ACCOUNTS * OPENING;
        let done = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                let (pool, done) = (pool.clone(), done.clone());
                tokio::spawn(async move {
                    let mut readings = 0;
                    loop {
                        let finished = done.load(Ordering::SeqCst);
                        let (sum, min): (i64, i64) =
                            sqlx::query_as("SELECT sum(balance)::int8, min(balance) FROM accounts")
                                .fetch_one(&pool)
                                .await
                                .or_fail(|| t!("spec-06-step-reading-the-total"));
                        readings += 1;
                        assert!(
                            sum == total && min >= 0,
                            "{}",
                            t!("spec-06-2-reader-saw", sum = sum, total = total, min = min)
                        );
                        if finished {
                            return readings;
                        }
                    }
                })
            })
            .collect();
        let outcomes = together(MOVERS, |mover| {
            let wallet = wallet.clone();
            async move {
                let mut seed = mover as u64 + 1;
                let mut outcomes = Vec::new();
                for _ in 0..TRANSFERS_EACH {
                    let from = (next(&mut seed) % ACCOUNTS as u64) as i64 + 1;
                    let to = (from + next(&mut seed) as i64 % (ACCOUNTS - 1)) % ACCOUNTS + 1;
                    let amount = (next(&mut seed) % 300) as i64 + 1;
                    outcomes.push(wallet.transfer(from, to, amount).await);
                }
                outcomes
            }
        })
        .await;
        done.store(true, Ordering::SeqCst);
        racecourse_kit::spec::join_all(readers).await;
        let mut moved = 0;
        for outcome in outcomes.into_iter().flatten() {
            match outcome {
                Ok(()) => moved += 1,
                Err(WalletError::Insufficient(_)) => {}
                Err(e) => panic!("{}", t!("spec-06-2-transfer-failed", error = e.to_string())),
            }
        }
        let split: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT xmin::text, count(*), sum(amount)::int8 FROM ledger
              WHERE kind = 'transfer' GROUP BY xmin::text
             HAVING count(*) <> 2 OR sum(amount) <> 0",
        )
        .fetch_all(&pool)
        .await
        .or_fail(|| t!("spec-06-step-reading-the-ledger"));
        if let Some((_, rows, sum)) = split.first() {
            panic!(
                "{}",
                t!(
                    "spec-06-2-split",
                    transactions = split.len(),
                    rows = rows,
                    sum = sum
                )
            );
        }
        let mut rows = 0;
        for account in 1..=ACCOUNTS {
            let report = report(&pool, account).await;
            assert_ledger_matches(&report, account, &t!("spec-06-2-after-transfers"));
            rows += report.transfers;
        }
        assert_eq!(
            rows,
            2 * moved,
            "{}",
            t!("spec-06-2-two-rows", moved = moved)
        );
    })
    .await;
}

/// Transfers from 1 to 2 and from 2 to 1, all at once, two rounds: all
/// succeed. Two transactions that lock the same two rows in opposite orders
/// deadlock, and PostgreSQL aborts one of them.
pub async fn opposite_transfers_do_not_deadlock(make: MakeWallet) {
    with_wallet(make, 2, 10_000, |wallet, pool| async move {
        for round in 1..=2 {
            let results = together(2 * OPPOSITE_PAIRS, |i| {
                let wallet = wallet.clone();
                let (from, to) = if i % 2 == 0 { (1, 2) } else { (2, 1) };
                async move { wallet.transfer(from, to, 1).await }
            })
            .await;
            if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
                panic!(
                    "{}",
                    t!("spec-06-2-deadlock", round = round, error = e.to_string())
                );
            }
        }
        let (one, two) = (report(&pool, 1).await, report(&pool, 2).await);
        assert_eq!(
            (one.balance, two.balance),
            (10_000, 10_000),
            "{}",
            t!("spec-06-2-each-way")
        );
    })
    .await;
}
