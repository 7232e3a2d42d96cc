//! # 06.2 Wallet (PostgreSQL): no overdraft, a ledger row per movement
//!
//! **The race.** Read the balance, check it covers the debit, write the new
//! balance: two debits that read the same balance both pass the check, and
//! the account is overdrawn (or one debit is lost). A transfer made of two
//! transactions shows a world where the money has left one account and not
//! reached the other; a balance written without its ledger row in the same
//! transaction is a balance nobody can explain.
//!
//! **Your task.** `debit`: one transaction with a guarded
//! `UPDATE ... SET balance = balance - $2 WHERE id = $1 AND balance >= $2`
//! and the ledger row. `transfer`: one transaction that locks both rows in
//! the order of their ids, checks, moves the money, and writes two ledger
//! rows. Refuse a non-positive amount, one account twice, and unknown
//! accounts.
//!
//! **The spec checks**, on a real PostgreSQL: refusals move nothing; 100
//! debits of 10 at once from 500 give exactly 50 successes; a failed ledger
//! write moves no money; concurrent readers see the total whole while 320
//! transfers run; opposite transfers at once never deadlock.
//!
//! Run `cargo xtask test 06.2`; stuck? `cargo xtask hint 06.2`.

use racecourse_06::wallet::{Wallet, WalletError};
use sqlx::{PgConnection, PgPool};

pub struct PgWallet {
    pool: PgPool,
}

// ANCHOR: wallet
impl Wallet for PgWallet {
    fn new(pool: PgPool) -> Self {
        PgWallet { pool }
    }

    async fn debit(&self, account: i64, amount: i64) -> Result<i64, WalletError> {
        if amount <= 0 {
            return Err(WalletError::InvalidAmount(amount));
        }
        let mut tx = self.pool.begin().await?;
        let balance = take(&mut tx, account, amount).await?;
        ledger(&mut tx, &[(account, -amount)], "debit").await?;
        tx.commit().await?;
        Ok(balance)
    }

    async fn transfer(&self, from: i64, to: i64, amount: i64) -> Result<(), WalletError> {
        if amount <= 0 {
            return Err(WalletError::InvalidAmount(amount));
        }
        if from == to {
            return Err(WalletError::SameAccount);
        }
        let mut tx = self.pool.begin().await?;
        // Both rows locked, lowest id first, whichever way the money goes:
        // two opposite transfers queue instead of deadlocking.
        let locked: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut *tx)
        .await?;
        if let Some(missing) = [from, to].into_iter().find(|a| !locked.contains(a)) {
            return Err(WalletError::UnknownAccount(missing));
        }
        take(&mut tx, from, amount).await?;
        sqlx::query("UPDATE accounts SET balance = balance + $2 WHERE id = $1")
            .bind(to)
            .bind(amount)
            .execute(&mut *tx)
            .await?;
        ledger(&mut tx, &[(from, -amount), (to, amount)], "transfer").await?;
        tx.commit().await?;
        Ok(())
    }
}
// ANCHOR_END: wallet

// ANCHOR: take
/// Subtracts `amount` if the balance covers it, in one statement: the check
/// and the write cannot be separated. Returns the new balance.
async fn take(conn: &mut PgConnection, account: i64, amount: i64) -> Result<i64, WalletError> {
    let balance: Option<i64> = sqlx::query_scalar(
        "UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2
         RETURNING balance",
    )
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
// ANCHOR_END: take

/// The ledger rows of one movement, in the caller's transaction.
async fn ledger(conn: &mut PgConnection, rows: &[(i64, i64)], kind: &str) -> sqlx::Result<()> {
    let (accounts, amounts): (Vec<i64>, Vec<i64>) = rows.iter().copied().unzip();
    sqlx::query(
        "INSERT INTO ledger (account_id, amount, kind)
         SELECT a, m, $3 FROM unnest($1::int8[], $2::int8[]) AS t (a, m)",
    )
    .bind(&accounts)
    .bind(&amounts)
    .bind(kind)
    .execute(conn)
    .await
    .map(drop)
}
