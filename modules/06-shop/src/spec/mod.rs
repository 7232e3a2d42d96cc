//! The spec of module 06: one async function per property, taking a `fn` that
//! makes the implementation as a trait object ([`erased`]), and per exercise a
//! `checks` list of them. [`crate::spec!`] runs the lists against the exercise
//! crate and the solution crate; `tests/gallery.rs` runs them against the naive
//! code and the wrong fixes, which they must catch.
//!
//! Each property is checked under real concurrency on a real PostgreSQL (a
//! schema per test) and ends in exact counts. Failures read like a teacher's
//! remark.

pub mod checkout;
pub mod erased;
pub mod intake;
pub mod outbox;
pub mod queue;
pub mod saga;
pub mod wallet;

pub(crate) use racecourse_kit::spec::together;

use racecourse_kit::i18n::t;

pub(crate) use racecourse_kit::spec::OrFail;

/// Makes the next insert into `table` for which `condition` holds fail
/// once, as if the process died in the middle of that transaction: it is
/// rolled back. A sequence counts the attempts, because a sequence is not
/// rolled back with the failed transaction.
pub(crate) async fn crash_once_on_insert(
    pool: &sqlx::PgPool,
    name: &str,
    table: &str,
    condition: &str,
) {
    crash_once(pool, name, &format!("INSERT ON {table}"), condition).await;
}

/// Makes the next row `event` (`INSERT ON t`, `UPDATE OF c ON t`) for which
/// `condition` holds fail once: see [`crash_once_on_insert`].
pub(crate) async fn crash_once(pool: &sqlx::PgPool, name: &str, event: &str, condition: &str) {
    let sql = format!(
        "CREATE SEQUENCE {name};
         CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF nextval('{name}') = 1 THEN
             RAISE EXCEPTION 'injected crash: {name}';
           END IF;
           RETURN NEW;
         END $$;
         CREATE TRIGGER {name} BEFORE {event}
           FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION {name}();"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await
        .or_fail(|| t!("spec-06-step-installing-the-crash-trigger"));
}
