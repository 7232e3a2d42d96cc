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
use sqlx::PgPool;

pub struct PgWallet {
    pool: PgPool,
}

impl Wallet for PgWallet {
    fn new(pool: PgPool) -> Self {
        PgWallet { pool }
    }

    async fn debit(&self, account: i64, amount: i64) -> Result<i64, WalletError> {
        let _pool = &self.pool;
        todo!("06.2 exercises/06-shop/src/wallet.rs: PgWallet::debit({account}, {amount})")
    }

    async fn transfer(&self, from: i64, to: i64, amount: i64) -> Result<(), WalletError> {
        todo!("06.2 exercises/06-shop/src/wallet.rs: PgWallet::transfer({from}, {to}, {amount})")
    }
}
