//! 01.2: versioned stores whose compare-and-set is not quite one step.

use crate::naive::versioned::{accounts_at_version_1, transfer_by_commits};
use crate::versioned::{Conflict, TransferError, Versioned, VersionedStore, Write};
use std::collections::HashMap;
use std::sync::Mutex;

type Accounts = Mutex<HashMap<String, Versioned>>;

/// The conflict of `w` in `accounts`, if its key is not at the expected version.
fn conflict(accounts: &HashMap<String, Versioned>, w: &Write) -> Option<Conflict> {
    let actual = accounts.get(&w.key).map(|v| v.version);
    (actual != Some(w.expected_version)).then(|| Conflict {
        key: w.key.clone(),
        expected: w.expected_version,
        actual,
    })
}

fn apply(accounts: &mut HashMap<String, Versioned>, w: &Write) {
    let entry = accounts.get_mut(&w.key).expect("checked to exist");
    *entry = Versioned {
        value: w.value,
        version: entry.version + 1,
    };
}

// ANCHOR: check_then_write
/// Checks every version under the lock, lets go, and takes the lock again to
/// write. Two commits from the same version both pass the check before either
/// writes, and the second write erases the first.
pub struct CheckThenWrite {
    accounts: Accounts,
}

impl CheckThenWrite {
    fn commit_in_two_steps(&self, writes: &[Write]) -> Result<(), Conflict> {
        {
            let accounts = self.accounts.lock().unwrap();
            if let Some(c) = writes.iter().find_map(|w| conflict(&accounts, w)) {
                return Err(c);
            }
        } // the lock is released here, between the check and the write
        let mut accounts = self.accounts.lock().unwrap();
        writes.iter().for_each(|w| apply(&mut accounts, w));
        Ok(())
    }
}
// ANCHOR_END: check_then_write

// ANCHOR: key_by_key
/// Checks and writes one key at a time. When the second key turns out stale
/// the first is already written: a transfer that debits and then fails to
/// credit destroys money. A commit must be all or nothing.
pub struct KeyByKey {
    accounts: Accounts,
}

impl KeyByKey {
    fn commit_key_by_key(&self, writes: &[Write]) -> Result<(), Conflict> {
        let mut accounts = self.accounts.lock().unwrap();
        for w in writes {
            if let Some(c) = conflict(&accounts, w) {
                return Err(c);
            }
            apply(&mut accounts, w);
        }
        Ok(())
    }
}
// ANCHOR_END: key_by_key

/// The trait's plumbing, the same for both: only the commit differs.
macro_rules! store_with_commit {
    ($store:ident, $commit:ident) => {
        impl VersionedStore for $store {
            fn new(accounts: &[(&str, i64)]) -> Self {
                $store {
                    accounts: Mutex::new(accounts_at_version_1(accounts)),
                }
            }

            fn get(&self, key: &str) -> Option<Versioned> {
                self.accounts.lock().unwrap().get(key).copied()
            }

            fn commit(&self, writes: &[Write]) -> Result<(), Conflict> {
                self.$commit(writes)
            }

            async fn transfer(
                &self,
                from: &str,
                to: &str,
                amount: i64,
            ) -> Result<u32, TransferError> {
                transfer_by_commits(self, from, to, amount).await
            }
        }
    };
}

store_with_commit!(CheckThenWrite, commit_in_two_steps);
store_with_commit!(KeyByKey, commit_key_by_key);
