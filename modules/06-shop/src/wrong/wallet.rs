//! 06.2: wallets that almost work. They share the right pieces (a guarded
//! subtraction, a credit, a ledger row, each one statement); each puts them
//! together wrong in its own way.

use crate::think;
use crate::wallet::{Wallet, WalletError};
use sqlx::{PgConnection, PgPool};

/// Subtracts `amount` where `guard` holds (`$2` is the amount), and tells a
/// refusal from an unknown account. Returns the new balance.
async fn take(
    conn: &mut PgConnection,
    account: i64,
    amount: i64,
    guard: &str,
) -> Result<i64, WalletError> {
    let sql = format!(
        "UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND {guard} RETURNING balance"
    );
    let balance: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(account)
        .bind(amount)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(balance) = balance {
        return Ok(balance);
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1)")
        .bind(account)
        .fetch_one(conn)
        .await?;
    Err(if exists {
        WalletError::Insufficient(account)
    } else {
        WalletError::UnknownAccount(account)
    })
}

/// Adds `amount` to `account`, or says it does not exist.
async fn credit(conn: &mut PgConnection, account: i64, amount: i64) -> Result<(), WalletError> {
    let done = sqlx::query("UPDATE accounts SET balance = balance + $2 WHERE id = $1")
        .bind(account)
        .bind(amount)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(WalletError::UnknownAccount(account));
    }
    Ok(())
}

async fn ledger(
    conn: &mut PgConnection,
    account: i64,
    amount: i64,
    kind: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO ledger (account_id, amount, kind) VALUES ($1, $2, $3)")
        .bind(account)
        .bind(amount)
        .bind(kind)
        .execute(conn)
        .await
        .map(drop)
}

fn refuse(from: i64, to: i64, amount: i64) -> Result<(), WalletError> {
    if amount <= 0 {
        return Err(WalletError::InvalidAmount(amount));
    }
    if from == to {
        return Err(WalletError::SameAccount);
    }
    Ok(())
}

/// A right debit in one transaction, with `guard`.
async fn debit(pool: &PgPool, account: i64, amount: i64, guard: &str) -> Result<i64, WalletError> {
    refuse(0, 1, amount)?;
    let mut tx = pool.begin().await?;
    let balance = take(&mut tx, account, amount, guard).await?;
    ledger(&mut tx, account, -amount, "debit").await?;
    tx.commit().await?;
    Ok(balance)
}

/// A right transfer in one transaction, locking `from` and `to` in id order
/// unless `unordered`, with `think()` between the two locks.
async fn transfer(
    pool: &PgPool,
    from: i64,
    to: i64,
    amount: i64,
    guard: &str,
    unordered: bool,
) -> Result<(), WalletError> {
    refuse(from, to, amount)?;
    let mut tx = pool.begin().await?;
    if !unordered {
        sqlx::query("SELECT id FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR UPDATE")
            .bind(from)
            .bind(to)
            .execute(&mut *tx)
            .await?;
    }
    take(&mut tx, from, amount, guard).await?;
    think().await;
    credit(&mut tx, to, amount).await?;
    ledger(&mut tx, from, -amount, "transfer").await?;
    ledger(&mut tx, to, amount, "transfer").await?;
    tx.commit().await?;
    Ok(())
}

const GUARD: &str = "balance >= $2";

// ANCHOR: positive_guard
/// One guarded statement, as it should be, but the guard asks whether there
/// is money left, not whether there is enough: a debit of 30 from 20 passes
/// and leaves -10. With debits that all divide the balance, it looks right.
pub struct PositiveGuard(PgPool);

impl Wallet for PositiveGuard {
    fn new(pool: PgPool) -> Self {
        PositiveGuard(pool)
    }

    async fn debit(&self, account: i64, amount: i64) -> Result<i64, WalletError> {
        debit(&self.0, account, amount, "balance > 0").await
    }

    async fn transfer(&self, from: i64, to: i64, amount: i64) -> Result<(), WalletError> {
        transfer(&self.0, from, to, amount, "balance > 0", false).await
    }
}
// ANCHOR_END: positive_guard

// ANCHOR: ledger_on_its_own
/// The guarded statement commits on its own, then the ledger row is
/// written: a crash between the two (here: the ledger insert fails) leaves
/// money gone with no row to say where.
pub struct LedgerOnItsOwn(PgPool);

impl Wallet for LedgerOnItsOwn {
    fn new(pool: PgPool) -> Self {
        LedgerOnItsOwn(pool)
    }

    async fn debit(&self, account: i64, amount: i64) -> Result<i64, WalletError> {
        refuse(0, 1, amount)?;
        let mut conn = self.0.acquire().await?;
        let balance = take(&mut conn, account, amount, GUARD).await?;
        ledger(&mut conn, account, -amount, "debit").await?;
        Ok(balance)
    }

    async fn transfer(&self, from: i64, to: i64, amount: i64) -> Result<(), WalletError> {
        transfer(&self.0, from, to, amount, GUARD, false).await
    }
}
// ANCHOR_END: ledger_on_its_own

// ANCHOR: two_step_transfer
/// A transfer as a right debit, then a credit in a transaction of its own.
/// Every balance ends right; in between, the money is nowhere, and a reader
/// summing the accounts sees the bank short.
pub struct TwoStepTransfer(PgPool);

impl Wallet for TwoStepTransfer {
    fn new(pool: PgPool) -> Self {
        TwoStepTransfer(pool)
    }

    async fn debit(&self, account: i64, amount: i64) -> Result<i64, WalletError> {
        debit(&self.0, account, amount, GUARD).await
    }

    async fn transfer(&self, from: i64, to: i64, amount: i64) -> Result<(), WalletError> {
        refuse(from, to, amount)?;
        if !sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1)")
            .bind(to)
            .fetch_one(&self.0)
            .await?
        {
            return Err(WalletError::UnknownAccount(to));
        }
        let mut tx = self.0.begin().await?;
        take(&mut tx, from, amount, GUARD).await?;
        ledger(&mut tx, from, -amount, "transfer").await?;
        tx.commit().await?;
        think().await;
        let mut tx = self.0.begin().await?;
        credit(&mut tx, to, amount).await?;
        ledger(&mut tx, to, amount, "transfer").await?;
        tx.commit().await?;
        Ok(())
    }
}
// ANCHOR_END: two_step_transfer

// ANCHOR: unordered_locks
/// One transaction, but the rows locked in the order of the money: the
/// `from` row by the guarded UPDATE, then the `to` row by the credit. A
/// transfer from 1 to 2 and one from 2 to 1 each hold one row and wait for
/// the other's: a deadlock, which PostgreSQL ends by aborting one of them.
pub struct UnorderedLocks(PgPool);

impl Wallet for UnorderedLocks {
    fn new(pool: PgPool) -> Self {
        UnorderedLocks(pool)
    }

    async fn debit(&self, account: i64, amount: i64) -> Result<i64, WalletError> {
        debit(&self.0, account, amount, GUARD).await
    }

    async fn transfer(&self, from: i64, to: i64, amount: i64) -> Result<(), WalletError> {
        transfer(&self.0, from, to, amount, GUARD, true).await
    }
}
// ANCHOR_END: unordered_locks
