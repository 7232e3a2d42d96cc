//! Spec of 01.4 and 01.5.

use super::erased::DynInventory;
use super::together;
use crate::MIGRATOR;
use crate::inventory::{ReserveError, create_product, stock_report};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// Makes an inventory on a pool.
pub type MakeInventory = fn(PgPool) -> Arc<dyn DynInventory>;

const STOCK: i32 = 50;
const BUYERS: usize = 100;
/// The naive version oversells in nearly every round; five rounds make a
/// passing naive run as good as impossible.
const ROUNDS: usize = 5;

/// The checks of 01.4: the race, and the lock timeout (made by `with_timeout`,
/// a reservation whose lock timeout is 200 ms).
pub fn locking_checks(make: MakeInventory, with_timeout: MakeInventory) -> Vec<Check> {
    vec![
        Check::new("never_oversells", Runtime::Threads, never_oversells(make)),
        Check::new(
            "held_lock_times_out",
            Runtime::Threads,
            held_lock_times_out(with_timeout),
        ),
    ]
}

/// The checks of 01.5.
pub fn conditional_checks(make: MakeInventory) -> Vec<Check> {
    vec![Check::new(
        "never_oversells",
        Runtime::Threads,
        never_oversells(make),
    )]
}

/// What buyer `i` orders in `round`. In round 1 everyone orders one unit, the
/// classic race: exactly 50 orders. Later rounds mix 3, 6 and 9 units: 50 is no
/// multiple of 3, so a guard that only checks that some stock is left
/// (`stock - reserved > 0`) always lets one order too many through.
fn quantity(round: usize, buyer: usize) -> i32 {
    if round == 1 {
        1
    } else {
        3 * (1 + (buyer % 3) as i32)
    }
}

/// 100 buyers at once, 50 units, five times over: units ordered never exceed
/// the stock, the reservation always equals the units ordered, and nobody is
/// refused while enough is left for them. Bad input and unknown products are
/// refused first.
pub async fn never_oversells(make: MakeInventory) {
    with_pg(&MIGRATOR, move |pool| async move {
        let inventory = make(pool.clone());
        let probe = create_product(&pool, "probe", 2).await.unwrap();
        assert!(
            matches!(
                inventory.reserve(probe, 0, "ann").await,
                Err(ReserveError::InvalidQuantity(0))
            ),
            "{}",
            t!("spec-01-4-zero")
        );
        assert!(
            matches!(
                inventory.reserve(9_999_999, 1, "ann").await,
                Err(ReserveError::UnknownProduct(9_999_999))
            ),
            "{}",
            t!("spec-01-4-unknown")
        );
        assert!(
            matches!(
                inventory.reserve(probe, 3, "ann").await,
                Err(ReserveError::OutOfStock { available: 2 })
            ),
            "{}",
            t!("spec-01-4-not-enough")
        );
        let order = inventory.reserve(probe, 2, "ann").await;
        assert!(
            order.is_ok(),
            "{}",
            t!("spec-01-4-last-units", got = format!("{order:?}"))
        );
        assert!(
            matches!(
                inventory.reserve(probe, 1, "bob").await,
                Err(ReserveError::OutOfStock { available: 0 })
            ),
            "{}",
            t!("spec-01-4-sold-out")
        );

        for round in 1..=ROUNDS {
            let product = create_product(&pool, &format!("round {round}"), STOCK)
                .await
                .unwrap();
            let results = together(BUYERS, |i| {
                let inventory = inventory.clone();
                async move {
                    inventory
                        .reserve(product, quantity(round, i), &format!("buyer-{i}"))
                        .await
                }
            })
            .await;
            if let Some(Err(other)) = results
                .iter()
                .find(|r| !matches!(r, Ok(_) | Err(ReserveError::OutOfStock { .. })))
            {
                panic!(
                    "{}",
                    t!(
                        "spec-01-4-buyer-failed",
                        round = round,
                        error = other.to_string()
                    )
                );
            }
            let told_ok: i64 = (0..BUYERS)
                .filter(|i| results[*i].is_ok())
                .map(|i| i64::from(quantity(round, i)))
                .sum();
            let report = stock_report(&pool, product).await.unwrap().unwrap();
            let mix = if round == 1 {
                t!("spec-01-4-mix-single")
            } else {
                t!("spec-01-4-mix-mixed")
            };
            assert!(
                report.oversold() == 0,
                "{}",
                t!(
                    "spec-01-4-oversold",
                    round = round,
                    ordered = report.units_ordered,
                    stock = STOCK,
                    oversold = report.oversold(),
                    buyers = BUYERS,
                    mix = mix
                )
            );
            assert!(
                i64::from(report.reserved) == report.units_ordered
                    && report.units_ordered == told_ok,
                "{}",
                t!(
                    "spec-01-4-out-of-step",
                    round = round,
                    told = told_ok,
                    ordered = report.units_ordered,
                    reserved = report.reserved,
                    mix = mix
                )
            );
            let left = STOCK - report.reserved;
            if let Some(i) =
                (0..BUYERS).find(|i| results[*i].is_err() && quantity(round, *i) <= left)
            {
                panic!(
                    "{}",
                    t!(
                        "spec-01-4-wrongly-sold-out",
                        round = round,
                        buyer = i,
                        asked = quantity(round, i),
                        left = left
                    )
                );
            }
            if round == 1 {
                assert!(
                    report.orders == i64::from(STOCK),
                    "{}",
                    t!("spec-01-4-orders", stock = STOCK, got = report.orders)
                );
            }
        }
    })
    .await;
}

/// While another transaction holds the product's row, a reservation gives up
/// with `Busy` after its lock timeout (here 200 ms) instead of waiting for ever,
/// and writes nothing.
pub async fn held_lock_times_out(make: MakeInventory) {
    with_pg(&MIGRATOR, move |pool| async move {
        let inventory = make(pool.clone());
        let product = create_product(&pool, "contended", 10).await.unwrap();
        let mut holder = pool.begin().await.unwrap();
        sqlx::query("SELECT 1 FROM products WHERE id = $1 FOR UPDATE")
            .bind(product)
            .execute(&mut *holder)
            .await
            .unwrap();
        let attempt =
            tokio::time::timeout(Duration::from_secs(2), inventory.reserve(product, 1, "ann"))
                .await;
        holder.rollback().await.unwrap();
        match attempt {
            Err(_) => panic!("{}", t!("spec-01-4-waited")),
            Ok(Err(ReserveError::Busy)) => {}
            Ok(other) => panic!("{}", t!("spec-01-4-not-busy", got = format!("{other:?}"))),
        }
        let report = stock_report(&pool, product).await.unwrap().unwrap();
        assert_eq!(
            (report.reserved, report.orders),
            (0, 0),
            "{}",
            t!("spec-01-4-timed-out-writes-nothing")
        );
        let after = inventory.reserve(product, 1, "ann").await;
        assert!(
            after.is_ok(),
            "{}",
            t!("spec-01-4-after-free", got = format!("{after:?}"))
        );
    })
    .await;
}
