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
        BlindStore {
            accounts: Mutex::new(accounts),
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
        if amount <= 0 {
            return Err(TransferError::InvalidAmount(amount));
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        for attempt in 1..=MAX_ATTEMPTS {
            let unknown = |k: &str| TransferError::UnknownAccount(k.to_string());
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
            if self.commit(&writes).is_ok() {
                return Ok(attempt);
            }
        }
        Err(TransferError::Contention {
            attempts: MAX_ATTEMPTS,
        })
    }
}
