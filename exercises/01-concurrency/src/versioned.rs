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

/// Balances in memory, each with a version. Choose what it holds.
pub struct MemStore {}

impl VersionedStore for MemStore {
    /// Keeps the accounts, each at version 1.
    fn new(accounts: &[(&str, i64)]) -> Self {
        todo!("01.2 exercises/01-concurrency/src/versioned.rs: MemStore::new({accounts:?})")
    }

    fn get(&self, key: &str) -> Option<Versioned> {
        todo!("01.2 exercises/01-concurrency/src/versioned.rs: MemStore::get({key})")
    }

    fn commit(&self, writes: &[Write]) -> Result<(), Conflict> {
        todo!("01.2 exercises/01-concurrency/src/versioned.rs: MemStore::commit({writes:?})")
    }

    async fn transfer(&self, from: &str, to: &str, amount: i64) -> Result<u32, TransferError> {
        // Between reading and committing, call think().await: a real service
        // would call out here, and other transfers run meanwhile.
        think().await;
        let _attempts = MAX_ATTEMPTS;
        todo!(
            "01.2 exercises/01-concurrency/src/versioned.rs: MemStore::transfer({from}, {to}, {amount})"
        )
    }
}
