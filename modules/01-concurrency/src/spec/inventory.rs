//! Spec of 01.4 and 01.5.

use super::erased::DynInventory;
use super::together;
use crate::MIGRATOR;
use crate::inventory::{ReserveError, create_product, stock_report};
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
            matches!(inventory.reserve(probe, 0, "ann").await, Err(ReserveError::InvalidQuantity(0))),
            "a quantity of 0 must be refused with InvalidQuantity"
        );
        assert!(
            matches!(inventory.reserve(9_999_999, 1, "ann").await, Err(ReserveError::UnknownProduct(9_999_999))),
            "a product that does not exist must be refused with UnknownProduct"
        );
        assert!(
            matches!(inventory.reserve(probe, 3, "ann").await, Err(ReserveError::OutOfStock { available: 2 })),
            "3 units of a product with 2 in stock must be refused with OutOfStock {{ available: 2 }}"
        );
        let order = inventory.reserve(probe, 2, "ann").await;
        assert!(order.is_ok(), "reserving the 2 units of a product with 2 in stock must succeed, got {order:?}");
        assert!(
            matches!(inventory.reserve(probe, 1, "bob").await, Err(ReserveError::OutOfStock { available: 0 })),
            "with nothing left a reservation must be refused with OutOfStock {{ available: 0 }}"
        );

        for round in 1..=ROUNDS {
            let product = create_product(&pool, &format!("round {round}"), STOCK).await.unwrap();
            let results = together(BUYERS, |i| {
                let inventory = inventory.clone();
                async move { inventory.reserve(product, quantity(round, i), &format!("buyer-{i}")).await }
            })
            .await;
            if let Some(Err(other)) = results.iter().find(|r| !matches!(r, Ok(_) | Err(ReserveError::OutOfStock { .. }))) {
                panic!("round {round}: a buyer failed with `{other}`; with stock left a buyer must get an order, without it OutOfStock");
            }
            let told_ok: i64 = (0..BUYERS)
                .filter(|i| results[*i].is_ok())
                .map(|i| i64::from(quantity(round, i)))
                .sum();
            let report = stock_report(&pool, product).await.unwrap().unwrap();
            let mix = if round == 1 { "1 unit each" } else { "3, 6 or 9 units each" };
            assert!(
                report.oversold() == 0,
                "round {round}: {} units ordered of {STOCK} in stock: {} units oversold ({BUYERS} buyers at once, {mix})",
                report.units_ordered,
                report.oversold()
            );
            assert!(
                i64::from(report.reserved) == report.units_ordered && report.units_ordered == told_ok,
                "round {round}: buyers were told they got {told_ok} units, the orders hold {} units and reserved = {}: \
                 the orders and the reservation went out of step ({mix})",
                report.units_ordered,
                report.reserved
            );
            let left = STOCK - report.reserved;
            if let Some(i) = (0..BUYERS).find(|i| results[*i].is_err() && quantity(round, *i) <= left) {
                panic!(
                    "round {round}: buyer-{i} asked for {} units and was told they were sold out, but {left} are still there",
                    quantity(round, i)
                );
            }
            if round == 1 {
                assert!(
                    report.orders == i64::from(STOCK),
                    "round 1: expected {STOCK} orders of one unit for {STOCK} units, got {}",
                    report.orders
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
        let attempt = tokio::time::timeout(Duration::from_secs(2), inventory.reserve(product, 1, "ann")).await;
        holder.rollback().await.unwrap();
        match attempt {
            Err(_) => panic!(
                "reserve waited 2 s on a locked row: set lock_timeout in the transaction so it gives up after 200 ms"
            ),
            Ok(Err(ReserveError::Busy)) => {}
            Ok(other) => panic!(
                "while another transaction holds the row, reserve must fail with Busy after its lock timeout, got {other:?} \
                 (does it lock the row with SELECT ... FOR UPDATE?)"
            ),
        }
        let report = stock_report(&pool, product).await.unwrap().unwrap();
        assert_eq!((report.reserved, report.orders), (0, 0), "a reservation that timed out must write nothing");
        let after = inventory.reserve(product, 1, "ann").await;
        assert!(after.is_ok(), "once the row is free the reservation goes through, got {after:?}");
    })
    .await;
}
