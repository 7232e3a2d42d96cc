//! # 01.2 Versioned store: compare-and-set with bounded retry
//!
//! **The race.** A transfer reads two balances, checks them, and writes both
//! back. If another transfer commits in between, a blind write overwrites it:
//! money appears or vanishes.
//!
//! **Your task.** Give every value a version. `commit` writes only if every key
//! is still at the version the writer read (all keys or none, under one lock),
//! and bumps the versions. `transfer` reads, checks, commits, and on a conflict
//! reads again and retries, at most `MAX_ATTEMPTS` times.
//!
//! **The spec checks** that a stale write is refused and changes nothing, that
//! of commits racing from one version (four threads, 20,000 each) exactly one
//! wins each time, and that 200 tasks making 1000 random transfers keep the
//! total and leave every balance exactly as the successful transfers say.
//!
//! Run `cargo xtask test 01.2`; stuck? `cargo xtask hint 01.2`.

use racecourse_01::versioned::MAX_ATTEMPTS;
use racecourse_01::{Conflict, TransferError, Versioned, VersionedStore, Write, think};
use std::collections::HashMap;
use std::sync::Mutex;

/// Balances in memory, each with a version.
pub struct MemStore {
    accounts: Mutex<HashMap<String, Versioned>>,
}

impl VersionedStore for MemStore {
    fn new(accounts: &[(&str, i64)]) -> Self {
        let accounts = accounts
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
            .collect();
        MemStore {
            accounts: Mutex::new(accounts),
        }
    }

    fn get(&self, key: &str) -> Option<Versioned> {
        self.accounts.lock().unwrap().get(key).copied()
    }

    // ANCHOR: commit
    fn commit(&self, writes: &[Write]) -> Result<(), Conflict> {
        // One lock around the check and the write: no one commits in between.
        let mut accounts = self.accounts.lock().unwrap();
        for w in writes {
            let actual = accounts.get(&w.key).map(|v| v.version);
            if actual != Some(w.expected_version) {
                return Err(Conflict {
                    key: w.key.clone(),
                    expected: w.expected_version,
                    actual,
                });
            }
        }
        for w in writes {
            accounts.insert(
                w.key.clone(),
                Versioned {
                    value: w.value,
                    version: w.expected_version + 1,
                },
            );
        }
        Ok(())
    }
    // ANCHOR_END: commit

    // ANCHOR: transfer
    async fn transfer(&self, from: &str, to: &str, amount: i64) -> Result<u32, TransferError> {
        if amount <= 0 {
            return Err(TransferError::InvalidAmount(amount));
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let unknown = |k: &str| TransferError::UnknownAccount(k.to_string());
        for attempt in 1..=MAX_ATTEMPTS {
            let a = self.get(from).ok_or_else(|| unknown(from))?;
            let b = self.get(to).ok_or_else(|| unknown(to))?;
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
            match self.commit(&writes) {
                Ok(()) => return Ok(attempt),
                // Someone committed since we read: our numbers are stale. Read again.
                Err(_conflict) => continue,
            }
        }
        Err(TransferError::Contention {
            attempts: MAX_ATTEMPTS,
        })
    }
    // ANCHOR_END: transfer
}
