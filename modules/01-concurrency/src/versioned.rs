//! Exercise 01.2: a key-value store of balances where every value carries a
//! version, and a write names the version it was computed from.

use std::future::Future;

/// How many times a transfer reads and tries to commit before it gives up.
pub const MAX_ATTEMPTS: u32 = 50;

/// A value and the version it is at. Every committed write bumps the version by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versioned {
    pub value: i64,
    pub version: u64,
}

/// One write of a commit: set `key` to `value` if it is still at `expected_version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub key: String,
    pub expected_version: u64,
    pub value: i64,
}

/// A commit refused because `key` is no longer at the version the writer read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key} is at version {actual:?}, not {expected}")]
pub struct Conflict {
    pub key: String,
    pub expected: u64,
    /// `None` when the key does not exist.
    pub actual: Option<u64>,
}

/// Why a transfer did not happen. In every case nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("the amount must be positive, got {0}")]
    InvalidAmount(i64),
    #[error("cannot transfer from an account to itself")]
    SameAccount,
    #[error("no account {0}")]
    UnknownAccount(String),
    #[error("only {available} available")]
    InsufficientFunds { available: i64 },
    #[error("gave up after {attempts} conflicting attempts")]
    Contention { attempts: u32 },
}

/// A versioned store with an atomic multi-key compare-and-set, and transfers on top.
pub trait VersionedStore: Send + Sync + 'static {
    /// A store holding `accounts`, each at version 1.
    fn new(accounts: &[(&str, i64)]) -> Self
    where
        Self: Sized;

    fn get(&self, key: &str) -> Option<Versioned>;

    /// Applies every write, or none: if any key is not at its expected version,
    /// returns the conflict and changes nothing.
    fn commit(&self, writes: &[Write]) -> Result<(), Conflict>;

    /// Moves `amount` from one account to another with optimistic concurrency:
    /// read, check, commit with the versions read, retry on conflict, give up
    /// after [`MAX_ATTEMPTS`]. Calls [`crate::think`] between reading and committing,
    /// as a real service would call out (a fraud check, say). Returns the attempts it took.
    fn transfer(
        &self,
        from: &str,
        to: &str,
        amount: i64,
    ) -> impl Future<Output = Result<u32, TransferError>> + Send;
}
