//! Spec of 06.1. Each check runs on a fresh PostgreSQL schema with the flaky
//! gateway ([`Gateway`]): it declines `broke-*` buyers, loses the reply of
//! every fifth new payment key, and, as a witness on its own connections,
//! looks up each order before charging it: an order not committed as
//! `reserved` at that moment means a transaction is held across the call.

use super::erased::DynCheckout;
use super::together;
use crate::MIGRATOR;
use crate::checkout::{CheckoutError, Order, StockReport, add_product, stock_report};
use crate::gateway::Gateway;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Makes the checkout on a pool and a gateway.
pub type MakeCheckout = fn(PgPool, Arc<Gateway>) -> Arc<dyn DynCheckout>;

/// How long the gateway takes to charge: other checkouts run meanwhile.
const LATENCY: Duration = Duration::from_millis(1);
const BUYERS: usize = 100;
const UNITS: i32 = 50;
const PRICE: i64 = 1500;
const ROUNDS: i64 = 3;

/// The checks of 06.1.
pub fn checks(make: MakeCheckout) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "each_outcome_leaves_nothing_reserved",
            threads,
            each_outcome_leaves_nothing_reserved(make),
        ),
        Check::new(
            "hundred_checkouts_of_fifty_units",
            threads,
            hundred_checkouts_of_fifty_units(make),
        ),
    ]
}

/// Runs `body` with the checkout on a fresh schema and a fresh gateway, whose
/// witness has connections of its own.
async fn with_checkout<F, Fut>(make: MakeCheckout, body: F)
where
    F: FnOnce(Arc<dyn DynCheckout>, Arc<Gateway>, PgPool) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        let witness = PgPoolOptions::new()
            .max_connections(4)
            .connect_lazy_with((*pool.connect_options()).clone());
        let gateway = Arc::new(Gateway::new(Some(witness.clone()), LATENCY));
        body(make(pool.clone(), gateway.clone()), gateway, pool).await;
        witness.close().await;
    })
    .await;
}

async fn report(pool: &PgPool, product: i64) -> StockReport {
    stock_report(pool, product)
        .await
        .expect("reading the product")
}

/// No transaction was held across the payment call.
fn assert_no_violation(gateway: &Gateway) {
    let seen = gateway.violations();
    assert!(
        seen.is_empty(),
        "{} payment calls found their order uncommitted or not reserved; the first: {}",
        seen.len(),
        seen[0]
    );
}

/// Every charge belongs to one order, and that order is paid.
async fn assert_charges_match_orders(gateway: &Gateway, pool: &PgPool) {
    let charges = gateway.charges();
    let mut per_order: HashMap<i64, usize> = HashMap::new();
    for c in &charges {
        *per_order.entry(c.order).or_default() += 1;
    }
    if let Some((order, n)) = per_order.iter().find(|(_, n)| **n > 1) {
        panic!(
            "order {order} was charged {n} times (keys {:?}): every attempt at one order's \
             payment must carry the same idempotency key, payment_key(order)",
            charges
                .iter()
                .filter(|c| c.order == *order)
                .map(|c| &c.key)
                .collect::<Vec<_>>()
        );
    }
    let orders: Vec<i64> = per_order.keys().copied().collect();
    let states: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, state FROM orders WHERE id = ANY($1) AND state <> 'paid'")
            .bind(&orders)
            .fetch_all(pool)
            .await
            .expect("reading the charged orders");
    if let Some((order, state)) = states.first() {
        panic!(
            "order {order} was charged but is {state}: the buyer paid and gets nothing. \
             A timeout means the charge may have happened: retry with the same key, \
             which returns the charge if it did"
        );
    }
}

fn assert_settled(report: &StockReport, what: &str) {
    assert_eq!(
        (report.orders_reserved, report.reserved),
        (0, 0),
        "{what}: {} orders are still reserved, holding {} units, after every checkout \
         returned: orphan reservations. A failed payment must release its order",
        report.orders_reserved,
        report.reserved
    );
}

/// Unknown product, too many units, a declined card, a sale, and a lost
/// reply: each ends with nothing left reserved.
pub async fn each_outcome_leaves_nothing_reserved(make: MakeCheckout) {
    with_checkout(make, |shop, gateway, pool| async move {
        add_product(&pool, 1, 3, PRICE)
            .await
            .expect("adding a product");
        let unknown = shop.checkout(99, "ann", 1).await;
        assert!(
            matches!(unknown, Err(CheckoutError::UnknownProduct(99))),
            "a checkout of product 99, which does not exist, must be UnknownProduct(99), \
             got {unknown:?}"
        );
        let too_many = shop.checkout(1, "ann", 4).await;
        assert!(
            matches!(too_many, Err(CheckoutError::OutOfStock)),
            "4 units of a product with 3 must be OutOfStock, got {too_many:?}"
        );
        assert_settled(&report(&pool, 1).await, "after an out-of-stock checkout");
        let declined = shop.checkout(1, "broke-bob", 2).await;
        let Err(CheckoutError::Declined(order)) = declined else {
            panic!("a declined card must give Declined(order), got {declined:?}");
        };
        assert_settled(&report(&pool, 1).await, "after a declined payment");
        let state: String = sqlx::query_scalar("SELECT state FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(&pool)
            .await
            .expect("reading the declined order");
        assert_eq!(
            state, "released",
            "the declined order {order} must be released"
        );
        let sale = paid(
            shop.checkout(1, "ann", 3).await,
            "3 units of 3, after the decline",
        );
        let after = report(&pool, 1).await;
        assert_eq!(
            (after.sold, after.units_paid),
            (3, 3),
            "after selling 3 units: sold and the paid orders' units"
        );
        let charges = gateway.charges();
        assert_eq!(
            (charges.len(), charges[0].amount, &charges[0].id),
            (1, 3 * PRICE, &sale.charge),
            "one charge of 3 units at {PRICE}, whose id the order carries"
        );
        add_product(&pool, 2, 10, PRICE)
            .await
            .expect("adding a product");
        for buyer in ["b2", "b3", "b4", "b5"] {
            paid(
                shop.checkout(2, buyer, 1).await,
                "a checkout whose reply may be lost (the fifth key's is)",
            );
        }
        assert_no_violation(&gateway);
        assert_charges_match_orders(&gateway, &pool).await;
        assert_eq!(
            gateway.charges().len(),
            5,
            "five sales, five charges, one lost reply retried with its key"
        );
        assert_settled(&report(&pool, 2).await, "after five sales");
    })
    .await;
}

fn paid(result: Result<Order, CheckoutError>, what: &str) -> Order {
    result.unwrap_or_else(|e| panic!("{what} must be paid, got the error: {e}"))
}

/// 100 buyers at once for 50 units, one in five with a declined card, the
/// gateway losing every fifth reply, three rounds: no transaction across the
/// payment call, no double charge, no orphan reservation, no oversell, and
/// sold equals the paid orders.
pub async fn hundred_checkouts_of_fifty_units(make: MakeCheckout) {
    with_checkout(make, |shop, gateway, pool| async move {
        let mut sales = 0;
        for product in 1..=ROUNDS {
            add_product(&pool, product, UNITS, PRICE)
                .await
                .expect("adding a product");
            let results = together(BUYERS, |i| {
                let shop = shop.clone();
                let buyer = if i % 5 == 0 {
                    format!("broke-{i}")
                } else {
                    format!("buyer-{i}")
                };
                async move { (i, shop.checkout(product, &buyer, 1).await) }
            })
            .await;
            assert_no_violation(&gateway);
            assert_charges_match_orders(&gateway, &pool).await;
            let report = report(&pool, product).await;
            assert_settled(&report, &format!("round {product}"));
            assert!(
                report.sold <= report.stock,
                "round {product}: {} units sold of {}: {} oversold",
                report.sold,
                report.stock,
                report.sold - report.stock
            );
            let mut ok = 0;
            for (i, result) in &results {
                match result {
                    Ok(_) if i % 5 != 0 => ok += 1,
                    Err(CheckoutError::OutOfStock) => {}
                    Err(CheckoutError::Declined(_)) if i % 5 == 0 => {}
                    other => panic!(
                        "round {product}: buyer {i}'s checkout gave {other:?}: expected a paid \
                         order or OutOfStock{}",
                        if i % 5 == 0 {
                            ", or Declined for a broke buyer"
                        } else {
                            ""
                        }
                    ),
                }
            }
            assert_eq!(
                (report.sold, report.orders_paid, report.units_paid),
                (ok, ok, ok),
                "round {product}: {ok} checkouts were paid: sold, paid orders and their units \
                 must all say so"
            );
            sales += ok as usize;
            assert_eq!(
                gateway.charges().len(),
                sales,
                "after round {product}: one charge per paid order"
            );
        }
    })
    .await;
}
