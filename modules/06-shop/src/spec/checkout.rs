//! Spec of 06.1. Each check runs on a fresh PostgreSQL schema with module
//! 05's payment gateway ([`FakeGateway`]): it declines an amount over its
//! card limit (two units here), loses the reply of every fifth new charge
//! (the money moved, the caller sees a 503), and, through its witness, lets
//! the spec look up each order at the moment of the call on connections of
//! its own: an order not committed as `reserved` then means a transaction is
//! held across the call.

use super::erased::DynCheckout;
use super::together;
use crate::MIGRATOR;
use crate::checkout::{CheckoutError, Order, StockReport, add_product, order_of, stock_report};
use racecourse_05::gateway::{CARD_LIMIT, FakeGateway};
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Makes the checkout on a pool and a gateway.
pub type MakeCheckout = fn(PgPool, Arc<FakeGateway>) -> Arc<dyn DynCheckout>;

/// How long the gateway takes to charge: other checkouts run meanwhile.
const LATENCY: Duration = Duration::from_millis(1);
/// The gateway loses the reply of every this many new charges.
const LOSE_EVERY: u32 = 5;
const BUYERS: usize = 100;
const UNITS: i32 = 50;
/// One unit is within the card limit; two are over it, and declined.
const PRICE: i64 = 600;
const DECLINED_QTY: i32 = 2;
const _: () = assert!(PRICE <= CARD_LIMIT && PRICE * DECLINED_QTY as i64 > CARD_LIMIT);
const ROUNDS: i64 = 3;

/// What the witness saw wrong, in order.
type Violations = Arc<Mutex<Vec<String>>>;

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

/// Runs `body` with the checkout on a fresh schema and a fresh gateway that
/// loses every fifth new charge's reply, whose witness has connections of
/// its own.
async fn with_checkout<F, Fut>(make: MakeCheckout, body: F)
where
    F: FnOnce(Arc<dyn DynCheckout>, Arc<FakeGateway>, Violations, PgPool) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        let witness = PgPoolOptions::new()
            .max_connections(4)
            .connect_lazy_with((*pool.connect_options()).clone());
        let violations = Violations::default();
        let gateway = Arc::new(FakeGateway::new(LATENCY));
        gateway.lose_every(LOSE_EVERY);
        let (seen, on) = (violations.clone(), witness.clone());
        gateway.set_witness(Arc::new(move |key| {
            let (seen, on) = (seen.clone(), on.clone());
            Box::pin(async move {
                if let Some(violation) = witness_order(&on, &key).await {
                    seen.lock().unwrap().push(violation);
                }
            })
        }));
        body(
            make(pool.clone(), gateway.clone()),
            gateway,
            violations,
            pool,
        )
        .await;
        witness.close().await;
    })
    .await;
}

/// Looks up the order a payment is for, on the witness's own connection, at
/// the moment of the call: what is wrong, if anything.
async fn witness_order(pool: &PgPool, key: &str) -> Option<String> {
    let Some(order) = order_of(key) else {
        return Some(format!(
            "the gateway was asked to charge key {key:?}, which is not payment_key(order)"
        ));
    };
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM orders WHERE id = $1")
        .bind(order)
        .fetch_optional(pool)
        .await
        .unwrap_or_else(|e| Some(format!("unreadable: {e}")));
    let seen = match state.as_deref() {
        Some("reserved") => return None,
        Some(other) => format!("in state {other}"),
        None => "not there (not committed yet?)".to_string(),
    };
    Some(format!(
        "order {order} was {seen} when the gateway was called: commit the reservation \
         and the order before the payment call, and hold no transaction across it"
    ))
}

async fn report(pool: &PgPool, product: i64) -> StockReport {
    stock_report(pool, product)
        .await
        .expect("reading the product")
}

/// No transaction was held across the payment call.
fn assert_no_violation(violations: &Violations) {
    let seen = violations.lock().unwrap();
    assert!(
        seen.is_empty(),
        "{} payment calls found their order uncommitted or not reserved; the first: {}",
        seen.len(),
        seen[0]
    );
}

/// Every charge belongs to one order, and that order is paid.
async fn assert_charges_match_orders(gateway: &FakeGateway, pool: &PgPool) {
    let charges = gateway.charges();
    let mut per_order: HashMap<i64, Vec<&str>> = HashMap::new();
    for c in &charges {
        let order = order_of(&c.order).unwrap_or_else(|| {
            panic!(
                "a charge with key {:?}: the key must be payment_key(order)",
                c.order
            )
        });
        per_order.entry(order).or_default().push(&c.order);
    }
    if let Some((order, keys)) = per_order.iter().find(|(_, keys)| keys.len() > 1) {
        panic!(
            "order {order} was charged {} times (keys {keys:?}): every attempt at one order's \
             payment must carry the same idempotency key, payment_key(order)",
            keys.len()
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
             A 503 means the charge may have happened: retry with the same key, \
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
    with_checkout(make, |shop, gateway, violations, pool| async move {
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
        let declined = shop.checkout(1, "bob", DECLINED_QTY).await;
        let Err(CheckoutError::Declined(order)) = declined else {
            panic!(
                "{DECLINED_QTY} units at {PRICE}, over the card limit of {CARD_LIMIT}: the \
                 gateway declines, and the checkout must give Declined(order), got {declined:?}"
            );
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
            shop.checkout(1, "ann", 1).await,
            "1 unit of 3, after the decline",
        );
        let after = report(&pool, 1).await;
        assert_eq!(
            (after.sold, after.units_paid),
            (1, 1),
            "after selling 1 unit: sold and the paid orders' units"
        );
        let charges = gateway.charges();
        assert_eq!(
            (charges.len(), charges[0].amount, &charges[0].id),
            (1, PRICE, &sale.charge),
            "one charge of 1 unit at {PRICE}, whose id the order carries"
        );
        add_product(&pool, 2, 10, PRICE)
            .await
            .expect("adding a product");
        for buyer in ["b2", "b3", "b4", "b5"] {
            paid(
                shop.checkout(2, buyer, 1).await,
                "a checkout whose reply may be lost (the fifth charge's is)",
            );
        }
        assert_no_violation(&violations);
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

/// 100 buyers at once for 50 units, one in five asking for more than the
/// card limit allows (declined), the gateway losing every fifth new charge's
/// reply, three rounds: no transaction across the payment call, no double
/// charge, no orphan reservation (sold and released add up to what was
/// reserved), no oversell, and sold equals the paid orders.
pub async fn hundred_checkouts_of_fifty_units(make: MakeCheckout) {
    with_checkout(make, |shop, gateway, violations, pool| async move {
        let mut sales = 0;
        for product in 1..=ROUNDS {
            add_product(&pool, product, UNITS, PRICE)
                .await
                .expect("adding a product");
            let results = together(BUYERS, |i| {
                let shop = shop.clone();
                let qty = if i % 5 == 0 { DECLINED_QTY } else { 1 };
                async move { (i, shop.checkout(product, &format!("buyer-{i}"), qty).await) }
            })
            .await;
            assert_no_violation(&violations);
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
                        "round {product}: buyer {i}'s checkout gave {other:?}: expected {}",
                        if i % 5 == 0 {
                            "Declined (over the card limit) or OutOfStock"
                        } else {
                            "a paid order or OutOfStock"
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
