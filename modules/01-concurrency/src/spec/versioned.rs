//! Spec of 01.2.

use super::erased::DynVersionedStore;
use super::together;
use crate::versioned::{Conflict, TransferError, Write};
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
    let a = store.get("a").expect("account a was created");
    assert_eq!(a.value, 100);
    assert_eq!(a.version, 1, "new accounts start at version 1");

    store
        .commit(&[write("a", 1, 90)])
        .expect("a commit at the current version must succeed");
    let a = store.get("a").unwrap();
    assert_eq!(
        (a.value, a.version),
        (90, 2),
        "a commit writes the value and bumps the version"
    );

    let stale = store.commit(&[write("a", 1, 80)]);
    assert_eq!(
        stale,
        Err(Conflict {
            key: "a".into(),
            expected: 1,
            actual: Some(2)
        }),
        "a write computed from version 1 must be refused once a is at version 2"
    );
    assert_eq!(
        store.get("a").unwrap().value,
        90,
        "a refused commit must not write"
    );

    let mixed = store.commit(&[write("a", 2, 1), write("b", 7, 2)]);
    assert!(
        mixed.is_err(),
        "a commit with one stale write must be refused"
    );
    assert_eq!(
        (store.get("a").unwrap().value, store.get("b").unwrap().value),
        (90, 100),
        "a commit is all or nothing: when b's write is stale, a must not change either"
    );
    assert_eq!(
        store.commit(&[write("nope", 1, 1)]),
        Err(Conflict {
            key: "nope".into(),
            expected: 1,
            actual: None
        }),
        "a write to a missing key is a conflict with no actual version"
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
                    let read = store.get("hot").expect("account hot was created");
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
        "{COMMIT_THREADS} threads each committed `value + 1` {COMMITS_PER_THREAD} times from the version they had read; \
         {succeeded} commits reported success but the value is {value}: {} successful commits were lost. Two commits \
         from the same version both passed the check: check and write under one lock, in one critical section",
        succeeded - value
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
        "an uncontended transfer takes one attempt"
    );
    assert_eq!(
        (store.get("a").unwrap().value, store.get("b").unwrap().value),
        (70, 30),
        "30 moved from a to b"
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
                "transfer {from} -> {to} of {amount} failed with {other:?}, which valid input never should"
            ),
        }
    }
    let actual: Vec<i64> = names.iter().map(|n| store.get(n).unwrap().value).collect();
    let total: i64 = actual.iter().sum();
    let opening_total = OPENING * ACCOUNTS as i64;
    assert!(
        total == opening_total,
        "the accounts held {opening_total} in all before the transfers and {total} after: {} was {} by lost updates",
        (total - opening_total).abs(),
        if total > opening_total {
            "created"
        } else {
            "destroyed"
        }
    );
    assert!(
        actual == expected,
        "after {moved} successful transfers the balances should be {expected:?}, they are {actual:?}: \
         a transfer that reported success was lost, or one that reported failure was applied"
    );
    assert!(
        actual.iter().all(|b| *b >= 0),
        "a balance went negative: {actual:?}"
    );
    let attempted = TASKS * TRANSFERS_PER_TASK;
    assert!(
        moved * 2 >= attempted,
        "only {moved} of {attempted} transfers went through ({errors:?}): retry conflicts up to MAX_ATTEMPTS times"
    );
}
