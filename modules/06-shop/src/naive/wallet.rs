//! 06.2, naive: read the balance, check it, write the new one; the ledger
//! row afterwards, on its own. Two debits that read the same balance both
//! pass; a transfer is a debit and a credit that anyone can see half done.

use crate::think;
use crate::wallet::{Wallet, WalletError};
use sqlx::PgPool;

pub struct ReadThenWrite {
    pool: PgPool,
}

// ANCHOR: naive
impl Wallet for ReadThenWrite {
    fn new(pool: PgPool) -> Self {
        ReadThenWrite { pool }
    }

    async fn debit(&self, account: i64, amount: i64) -> Result<i64, WalletError> {
        if amount <= 0 {
            return Err(WalletError::InvalidAmount(amount));
        }
        let balance: Option<i64> = sqlx::query_scalar("SELECT balance FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        let balance = balance.ok_or(WalletError::UnknownAccount(account))?;
        if balance < amount {
            return Err(WalletError::Insufficient(account));
        }
        think().await;
        sqlx::query("UPDATE accounts SET balance = $2 WHERE id = $1")
            .bind(account)
            .bind(balance - amount)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO ledger (account_id, amount, kind) VALUES ($1, $2, 'debit')")
            .bind(account)
            .bind(-amount)
            .execute(&self.pool)
            .await?;
        Ok(balance - amount)
    }

    async fn transfer(&self, from: i64, to: i64, amount: i64) -> Result<(), WalletError> {
        if from == to {
            return Err(WalletError::SameAccount);
        }
        self.debit(from, amount).await?;
        sqlx::query("UPDATE accounts SET balance = balance + $2 WHERE id = $1")
            .bind(to)
            .bind(amount)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
// ANCHOR_END: naive
