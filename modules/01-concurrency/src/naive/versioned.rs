//! A blind write: versions are kept but never checked, so the last writer wins.

use crate::think;
use crate::versioned::{Conflict, MAX_ATTEMPTS, TransferError, Versioned, VersionedStore, Write};
use std::collections::HashMap;
use std::sync::Mutex;

pub struct BlindStore {
    accounts: Mutex<HashMap<String, Versioned>>,
}

impl VersionedStore for BlindStore {
    fn new(accounts: &[(&str, i64)]) -> Self {
        BlindStore {
            accounts: Mutex::new(accounts_at_version_1(accounts)),
        }
    }

    fn get(&self, key: &str) -> Option<Versioned> {
        self.accounts.lock().unwrap().get(key).copied()
    }

    fn commit(&self, writes: &[Write]) -> Result<(), Conflict> {
        let mut accounts = self.accounts.lock().unwrap();
        for w in writes {
            // The expected version is ignored: this is the bug.
            let entry = accounts.entry(w.key.clone()).or_insert(Versioned {
                value: 0,
                version: 0,
            });
            *entry = Versioned {
                value: w.value,
                version: entry.version + 1,
            };
        }
        Ok(())
    }

    async fn transfer(&self, from: &str, to: &str, amount: i64) -> Result<u32, TransferError> {
        transfer_by_commits(self, from, to, amount).await
    }
}

/// `accounts` as a map, each at version 1.
pub(crate) fn accounts_at_version_1(accounts: &[(&str, i64)]) -> HashMap<String, Versioned> {
    accounts
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                Versioned {
                    value: *v,
                    version: 1,
                },
            )
        })
        .collect()
}

/// A transfer as the exercise asks for it, on any store's `get` and `commit`:
/// read both accounts, think, commit with the versions read, retry a conflict.
/// Right in itself; whether it keeps the total depends on the store's commit.
pub(crate) async fn transfer_by_commits(
    store: &impl VersionedStore,
    from: &str,
    to: &str,
    amount: i64,
) -> Result<u32, TransferError> {
    if amount <= 0 {
        return Err(TransferError::InvalidAmount(amount));
    }
    if from == to {
        return Err(TransferError::SameAccount);
    }
    for attempt in 1..=MAX_ATTEMPTS {
        let unknown = |k: &str| TransferError::UnknownAccount(k.to_string());
        let a = store.get(from).ok_or_else(|| unknown(from))?;
        let b = store.get(to).ok_or_else(|| unknown(to))?;
        if a.value < amount {
            return Err(TransferError::InsufficientFunds { available: a.value });
        }
        think().await;
        let writes = [
            Write {
                key: from.into(),
                expected_version: a.version,
                value: a.value - amount,
            },
            Write {
                key: to.into(),
                expected_version: b.version,
                value: b.value + amount,
            },
        ];
        if store.commit(&writes).is_ok() {
            return Ok(attempt);
        }
    }
    Err(TransferError::Contention {
        attempts: MAX_ATTEMPTS,
    })
}
