//! Exercise 06.2: a wallet. Debits and transfers that cannot overdraw, under
//! any concurrency, with a ledger row per movement written in the same
//! transaction (migrations/0001_shop.sql for the tables).

use sqlx::PgPool;
use std::future::Future;

/// Why a debit or transfer moved nothing.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("the amount must be positive, got {0}")]
    InvalidAmount(i64),
    #[error("no account {0}")]
    UnknownAccount(i64),
    #[error("a transfer needs two different accounts")]
    SameAccount,
    #[error("account {0} has not enough money")]
    Insufficient(i64),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// A wallet over the `accounts` and `ledger` tables.
pub trait Wallet: Send + Sync + 'static {
    fn new(pool: PgPool) -> Self;

    /// Takes `amount` from `account` and writes a `debit` ledger row of
    /// `-amount`; returns the new balance.
    fn debit(
        &self,
        account: i64,
        amount: i64,
    ) -> impl Future<Output = Result<i64, WalletError>> + Send;

    /// Moves `amount` from `from` to `to`, with a `transfer` ledger row for
    /// each side (`-amount`, `+amount`), all in one transaction.
    fn transfer(
        &self,
        from: i64,
        to: i64,
        amount: i64,
    ) -> impl Future<Output = Result<(), WalletError>> + Send;
}

/// Opens `account` with `balance` and its `open` ledger row.
pub async fn open_account(pool: &PgPool, account: i64, balance: i64) -> sqlx::Result<()> {
    sqlx::query(
        "WITH a AS (INSERT INTO accounts (id, balance) VALUES ($1, $2) RETURNING id)
         INSERT INTO ledger (account_id, amount, kind) SELECT id, $2, 'open' FROM a",
    )
    .bind(account)
    .bind(balance)
    .execute(pool)
    .await
    .map(drop)
}

/// An account's balance and what its ledger says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountReport {
    pub balance: i64,
    pub ledger_sum: i64,
    pub debits: i64,
    pub transfers: i64,
}

/// Reads [`AccountReport`] for `account`.
pub async fn account_report(pool: &PgPool, account: i64) -> sqlx::Result<AccountReport> {
    let (balance, ledger_sum, debits, transfers) = sqlx::query_as(
        "SELECT a.balance,
                (SELECT coalesce(sum(amount), 0)::int8 FROM ledger WHERE account_id = a.id),
                (SELECT count(*) FROM ledger WHERE account_id = a.id AND kind = 'debit'),
                (SELECT count(*) FROM ledger WHERE account_id = a.id AND kind = 'transfer')
           FROM accounts a WHERE a.id = $1",
    )
    .bind(account)
    .fetch_one(pool)
    .await?;
    Ok(AccountReport {
        balance,
        ledger_sum,
        debits,
        transfers,
    })
}
