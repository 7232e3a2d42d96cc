//! Spec of 01.2.

use super::erased::DynVersionedStore;
use super::together;
use crate::versioned::{Conflict, TransferError, Write};
use racecourse_kit::i18n::t;
use racecourse_kit::spec::OrFail;
use racecourse_kit::spec::{Check, Runtime};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Makes a store holding the given accounts.
pub type MakeStore = fn(&[(&str, i64)]) -> Arc<dyn DynVersionedStore>;

/// The checks of 01.2.
pub fn checks(make: MakeStore) -> Vec<Check> {
    vec![
        Check::new(
            "stale_version_is_refused",
            Runtime::Threads,
            stale_version_is_refused(make),
        ),
        Check::new(
            "transfer_checks_its_input",
            Runtime::Threads,
            transfer_checks_its_input(make),
        ),
        Check::new(
            "racing_commits_lose_nothing",
            Runtime::Threads,
            racing_commits_lose_nothing(make),
        ),
        Check::new(
            "concurrent_transfers_keep_the_total",
            Runtime::Threads,
            concurrent_transfers_keep_the_total(make),
        ),
    ]
}

fn write(key: &str, expected_version: u64, value: i64) -> Write {
    Write {
        key: key.into(),
        expected_version,
        value,
    }
}

/// A write computed from an old version is refused and changes nothing; a
/// commit is all or nothing.
pub async fn stale_version_is_refused(make: MakeStore) {
    let store = make(&[("a", 100), ("b", 100)]);
    let a = store
        .get("a")
        .unwrap_or_else(|| panic!("{}", t!("spec-01-2-account-created", account = "a")));
    assert_eq!(a.value, 100);
    assert_eq!(a.version, 1, "{}", t!("spec-01-2-first-version"));

    store
        .commit(&[write("a", 1, 90)])
        .or_fail(|| t!("spec-01-2-current-commit"));
    let a = store.get("a").unwrap();
    assert_eq!(
        (a.value, a.version),
        (90, 2),
        "{}",
        t!("spec-01-2-commit-bumps")
    );

    let stale = store.commit(&[write("a", 1, 80)]);
    assert_eq!(
        stale,
        Err(Conflict {
            key: "a".into(),
            expected: 1,
            actual: Some(2)
        }),
        "{}",
        t!("spec-01-2-stale-refused")
    );
    assert_eq!(
        store.get("a").unwrap().value,
        90,
        "{}",
        t!("spec-01-2-refused-writes-nothing")
    );

    let mixed = store.commit(&[write("a", 2, 1), write("b", 7, 2)]);
    assert!(mixed.is_err(), "{}", t!("spec-01-2-mixed-refused"));
    assert_eq!(
        (store.get("a").unwrap().value, store.get("b").unwrap().value),
        (90, 100),
        "{}",
        t!("spec-01-2-all-or-nothing")
    );
    assert_eq!(
        store.commit(&[write("nope", 1, 1)]),
        Err(Conflict {
            key: "nope".into(),
            expected: 1,
            actual: None
        }),
        "{}",
        t!("spec-01-2-missing-key")
    );
}

const COMMIT_THREADS: usize = 4;
const COMMITS_PER_THREAD: usize = 20_000;

/// Four threads commit `value + 1` to one account as fast as they can, each
/// from the version it read: of two commits from the same version only one
/// may succeed, so the value ends at exactly the number of successful commits.
pub async fn racing_commits_lose_nothing(make: MakeStore) {
    let store = make(&[("hot", 0)]);
    let threads = (0..COMMIT_THREADS)
        .map(|_| {
            let store = store.clone();
            tokio::task::spawn_blocking(move || {
                let mut succeeded = 0i64;
                for _ in 0..COMMITS_PER_THREAD {
                    let read = store.get("hot").unwrap_or_else(|| {
                        panic!("{}", t!("spec-01-2-account-created", account = "hot"))
                    });
                    if store
                        .commit(&[write("hot", read.version, read.value + 1)])
                        .is_ok()
                    {
                        succeeded += 1;
                    }
                }
                succeeded
            })
        })
        .collect();
    let succeeded: i64 = racecourse_kit::spec::join_all(threads)
        .await
        .into_iter()
        .sum();
    let value = store.get("hot").unwrap().value;
    assert!(
        value == succeeded,
        "{}",
        t!(
            "spec-01-2-racing-lost",
            threads = COMMIT_THREADS,
            commits = COMMITS_PER_THREAD,
            succeeded = succeeded,
            value = value,
            lost = succeeded - value
        )
    );
}

/// Transfers refuse bad input and missing funds, and move money when they can.
pub async fn transfer_checks_its_input(make: MakeStore) {
    let store = make(&[("a", 100), ("b", 0)]);
    assert_eq!(
        store.transfer("a", "b", 0).await,
        Err(TransferError::InvalidAmount(0))
    );
    assert_eq!(
        store.transfer("a", "b", -5).await,
        Err(TransferError::InvalidAmount(-5))
    );
    assert_eq!(
        store.transfer("a", "a", 5).await,
        Err(TransferError::SameAccount)
    );
    assert_eq!(
        store.transfer("a", "zz", 5).await,
        Err(TransferError::UnknownAccount("zz".into()))
    );
    assert_eq!(
        store.transfer("a", "b", 101).await,
        Err(TransferError::InsufficientFunds { available: 100 })
    );
    assert_eq!(
        store.transfer("a", "b", 30).await,
        Ok(1),
        "{}",
        t!("spec-01-2-one-attempt")
    );
    assert_eq!(
        (store.get("a").unwrap().value, store.get("b").unwrap().value),
        (70, 30),
        "{}",
        t!("spec-01-2-moved")
    );
}

const ACCOUNTS: usize = 8;
const OPENING: i64 = 1000;
const TASKS: usize = 200;
const TRANSFERS_PER_TASK: usize = 5;

/// 200 tasks make 5 random transfers each between 8 accounts: the total is kept,
/// and every balance is exactly its opening plus what the successful transfers
/// moved in and out of it.
pub async fn concurrent_transfers_keep_the_total(make: MakeStore) {
    let names: Vec<String> = (0..ACCOUNTS).map(|i| format!("acct-{i}")).collect();
    let opening: Vec<(&str, i64)> = names.iter().map(|n| (n.as_str(), OPENING)).collect();
    let store = make(&opening);
    let names = Arc::new(names);

    let outcomes = together(TASKS, |task| {
        let (store, names) = (store.clone(), names.clone());
        async move {
            let mut rng = SmallRng::seed_from_u64(task as u64);
            let mut done = Vec::new();
            for _ in 0..TRANSFERS_PER_TASK {
                let from = rng.random_range(0..ACCOUNTS);
                let to = (from + rng.random_range(1..ACCOUNTS)) % ACCOUNTS;
                let amount = rng.random_range(1..=60);
                let result = store.transfer(&names[from], &names[to], amount).await;
                done.push((from, to, amount, result));
            }
            done
        }
    })
    .await;

    let mut expected = vec![OPENING; ACCOUNTS];
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut moved = 0;
    for (from, to, amount, result) in outcomes.into_iter().flatten() {
        match result {
            Ok(_) => {
                expected[from] -= amount;
                expected[to] += amount;
                moved += 1;
            }
            Err(TransferError::InsufficientFunds { .. } | TransferError::Contention { .. }) => {
                let kind = format!("{:?}", result.unwrap_err());
                *errors
                    .entry(kind.split([' ', '{']).next().unwrap_or("").to_string())
                    .or_default() += 1;
            }
            Err(other) => panic!(
                "{}",
                t!(
                    "spec-01-2-unexpected-error",
                    from = from,
                    to = to,
                    amount = amount,
                    error = format!("{other:?}")
                )
            ),
        }
    }
    let actual: Vec<i64> = names.iter().map(|n| store.get(n).unwrap().value).collect();
    let total: i64 = actual.iter().sum();
    let opening_total = OPENING * ACCOUNTS as i64;
    assert!(
        total == opening_total,
        "{}",
        t!(
            "spec-01-2-total",
            before = opening_total,
            after = total,
            difference = (total - opening_total).abs(),
            change = if total > opening_total {
                "created"
            } else {
                "destroyed"
            }
        )
    );
    assert!(
        actual == expected,
        "{}",
        t!(
            "spec-01-2-balances",
            moved = moved,
            expected = format!("{expected:?}"),
            actual = format!("{actual:?}")
        )
    );
    assert!(
        actual.iter().all(|b| *b >= 0),
        "{}",
        t!("spec-01-2-negative", actual = format!("{actual:?}"))
    );
    let attempted = TASKS * TRANSFERS_PER_TASK;
    assert!(
        moved * 2 >= attempted,
        "{}",
        t!(
            "spec-01-2-too-few",
            moved = moved,
            attempted = attempted,
            errors = format!("{errors:?}")
        )
    );
}
