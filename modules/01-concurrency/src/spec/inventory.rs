//! Spec of 01.4 and 01.5.

use super::erased::DynInventory;
use super::together;
use crate::MIGRATOR;
use crate::inventory::{ReserveError, create_product, stock_report};
use racecourse_kit::services::with_pg;
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

/// 100 buyers at once, 50 units: exactly 50 orders and 0 oversold, five times
/// over. Bad input and unknown products are refused first.
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
                async move { inventory.reserve(product, 1, &format!("buyer-{i}")).await }
            })
            .await;
            let succeeded = results.iter().filter(|r| r.is_ok()).count();
            let refused = results
                .iter()
                .filter(|r| matches!(r, Err(ReserveError::OutOfStock { .. })))
                .count();
            if let Some(Err(other)) = results.iter().find(|r| !matches!(r, Ok(_) | Err(ReserveError::OutOfStock { .. }))) {
                panic!("round {round}: a buyer failed with `{other}`; with stock left a buyer must get an order, without it OutOfStock");
            }
            let report = stock_report(&pool, product).await.unwrap().unwrap();
            assert!(
                report.oversold() == 0 && report.orders == i64::from(STOCK),
                "round {round}: expected {STOCK} orders for {STOCK} units, got {}: {} units oversold ({BUYERS} buyers at once)",
                report.orders,
                report.oversold()
            );
            assert!(
                succeeded == STOCK as usize && refused == BUYERS - STOCK as usize,
                "round {round}: {succeeded} buyers were told they got a unit and {refused} were told it was sold out; \
                 expected {STOCK} and {}",
                BUYERS - STOCK as usize
            );
            assert!(
                report.reserved == STOCK,
                "round {round}: {} orders but reserved = {}: the orders and the reservation went out of step",
                report.orders,
                report.reserved
            );
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
