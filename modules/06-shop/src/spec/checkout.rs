//! Spec of 06.1. Each check runs on a fresh PostgreSQL schema with module
//! 05's payment gateway ([`FakeGateway`]), reached through the subject's
//! payment client (the student's 05.4 client in the exercise crate) over the
//! reference breaker. The gateway declines an amount over its card limit
//! (two units here), loses the reply of every fifth new charge (the money
//! moved, the caller sees a 503), and, through its witness, lets the spec
//! look up each order at the moment of the call on connections of its own:
//! an order not committed as `reserved` then means a transaction is held
//! across the call.

use super::erased::DynCheckout;
use super::{OrFail, together};
use crate::MIGRATOR;
use crate::checkout::{
    CheckoutError, Order, Payments, StockReport, add_product, order_of, stock_report,
};
use racecourse_05::gateway::{CARD_LIMIT, FakeGateway};
use racecourse_05::spec::payments::MakeClient;
use racecourse_05::spec::reference::RefBreaker;
use racecourse_05::{Breaker, BreakerConfig, ClientConfig};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Makes the checkout on a pool and a payment client.
pub type MakeCheckout = fn(PgPool, Payments) -> Arc<dyn DynCheckout>;

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

/// The payment client's limits: three attempts, so one lost reply is
/// retried with the same key and found; a timeout no healthy call comes
/// near (the witness's lookup runs inside each call); a short backoff.
const CLIENT: ClientConfig = ClientConfig {
    attempt_timeout: Duration::from_secs(10),
    max_attempts: 3,
    backoff: Duration::from_millis(1),
};

/// The payment client the spec (and the demo) gives a checkout: one made
/// by `client` over `gateway`, with [`CLIENT`]'s limits and the reference
/// breaker, which a shop losing one reply in five keeps closed: these checks
/// are about the checkout, 05.1's and 05.4's specs about the breaker.
pub fn payments(client: MakeClient, gateway: Arc<FakeGateway>) -> Payments {
    client(gateway, breaker(), CLIENT)
}

fn breaker() -> Arc<dyn Breaker> {
    Arc::new(RefBreaker::new(BreakerConfig {
        consecutive_failures: 1_000,
        failure_rate_percent: 100,
        window: 100,
        minimum_calls: 100,
        slow_call: None,
        open_wait: Duration::from_secs(1),
        half_open_probes: 1,
    }))
}

/// What the witness saw wrong, in order.
type Violations = Arc<Mutex<Vec<String>>>;

/// The checks of 06.1, for checkouts made by `make`, paying through clients
/// made by `client`.
pub fn checks(make: MakeCheckout, client: MakeClient) -> Vec<Check> {
    let threads = Runtime::Threads;
    let subject = Subject { make, client };
    vec![
        Check::new(
            "each_outcome_leaves_nothing_reserved",
            threads,
            each_outcome_leaves_nothing_reserved(subject),
        ),
        Check::new(
            "a_payment_in_doubt_is_neither_released_nor_charged_twice",
            threads,
            a_payment_in_doubt_is_neither_released_nor_charged_twice(subject),
        ),
        Check::new(
            "hundred_checkouts_of_fifty_units",
            threads,
            hundred_checkouts_of_fifty_units(subject),
        ),
    ]
}

/// How the subject builds a checkout: its checkout, over its payment client.
#[derive(Clone, Copy)]
pub struct Subject {
    make: MakeCheckout,
    client: MakeClient,
}

/// Runs `body` with the checkout on a fresh schema and a fresh gateway that
/// loses every fifth new charge's reply, whose witness has connections of
/// its own.
async fn with_checkout<F, Fut>(subject: Subject, body: F)
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
        let payments = payments(subject.client, gateway.clone());
        body(
            (subject.make)(pool.clone(), payments),
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
        return Some(t!("spec-06-1-not-payment-key", key = format!("{key:?}")));
    };
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM orders WHERE id = $1")
        .bind(order)
        .fetch_optional(pool)
        .await
        .unwrap_or_else(|e| Some(t!("spec-06-1-unreadable", error = e.to_string())));
    let seen = match state.as_deref() {
        Some("reserved") => return None,
        Some(other) => t!("spec-06-1-in-state", state = other),
        None => t!("spec-06-1-not-there"),
    };
    Some(t!("spec-06-1-seen-at-call", order = order, seen = seen))
}

async fn report(pool: &PgPool, product: i64) -> StockReport {
    stock_report(pool, product)
        .await
        .or_fail(|| t!("spec-06-step-reading-the-product"))
}

/// No transaction was held across the payment call.
fn assert_no_violation(violations: &Violations) {
    let seen = violations.lock().unwrap();
    assert!(
        seen.is_empty(),
        "{}",
        t!(
            "spec-06-1-violations",
            calls = seen.len(),
            first = seen[0].as_str()
        )
    );
}

/// Every charge belongs to one order, and that order is paid.
async fn assert_charges_match_orders(gateway: &FakeGateway, pool: &PgPool) {
    if let Some((order, state)) = charged_unpaid(gateway, pool).await.first() {
        panic!(
            "{}",
            t!("spec-06-1-charged-not-paid", order = order, state = state)
        );
    }
}

/// The charged orders that are not paid, with their states, once every
/// charge is known to belong to one order, charged once.
async fn charged_unpaid(gateway: &FakeGateway, pool: &PgPool) -> Vec<(i64, String)> {
    let charges = gateway.charges();
    let mut per_order: HashMap<i64, Vec<&str>> = HashMap::new();
    for c in &charges {
        let order = order_of(&c.order).unwrap_or_else(|| {
            panic!(
                "{}",
                t!("spec-06-1-charge-key", key = format!("{:?}", c.order))
            )
        });
        per_order.entry(order).or_default().push(&c.order);
    }
    if let Some((order, keys)) = per_order.iter().find(|(_, keys)| keys.len() > 1) {
        panic!(
            "{}",
            t!(
                "spec-06-1-charged-times",
                order = order,
                times = keys.len(),
                keys = format!("{keys:?}")
            )
        );
    }
    let orders: Vec<i64> = per_order.keys().copied().collect();
    sqlx::query_as("SELECT id, state FROM orders WHERE id = ANY($1) AND state <> 'paid'")
        .bind(&orders)
        .fetch_all(pool)
        .await
        .or_fail(|| t!("spec-06-step-reading-the-charged-orders"))
}

fn assert_settled(report: &StockReport, what: &str) {
    assert_eq!(
        (report.orders_reserved, report.reserved),
        (0, 0),
        "{}",
        t!(
            "spec-06-1-orphans",
            what = what,
            orders = report.orders_reserved,
            units = report.reserved
        )
    );
}

/// Unknown product, too many units, a declined card, a sale, and a lost
/// reply: each ends with nothing left reserved.
pub async fn each_outcome_leaves_nothing_reserved(subject: Subject) {
    with_checkout(subject, |shop, gateway, violations, pool| async move {
        add_product(&pool, 1, 3, PRICE)
            .await
            .or_fail(|| t!("spec-06-step-adding-a-product"));
        let unknown = shop.checkout(99, "ann", 1).await;
        assert!(
            matches!(unknown, Err(CheckoutError::UnknownProduct(99))),
            "{}",
            t!("spec-06-1-unknown-product", got = format!("{unknown:?}"))
        );
        let too_many = shop.checkout(1, "ann", 4).await;
        assert!(
            matches!(too_many, Err(CheckoutError::OutOfStock)),
            "{}",
            t!("spec-06-1-out-of-stock", got = format!("{too_many:?}"))
        );
        assert_settled(&report(&pool, 1).await, &t!("spec-06-1-after-out-of-stock"));
        let declined = shop.checkout(1, "bob", DECLINED_QTY).await;
        let Err(CheckoutError::Declined(order)) = declined else {
            panic!(
                "{}",
                t!(
                    "spec-06-1-declined",
                    qty = DECLINED_QTY,
                    price = PRICE,
                    limit = CARD_LIMIT,
                    got = format!("{declined:?}")
                )
            );
        };
        assert_settled(&report(&pool, 1).await, &t!("spec-06-1-after-declined"));
        let state: String = sqlx::query_scalar("SELECT state FROM orders WHERE id = $1")
            .bind(order)
            .fetch_one(&pool)
            .await
            .or_fail(|| t!("spec-06-step-reading-the-declined-order"));
        assert_eq!(
            state,
            "released",
            "{}",
            t!("spec-06-1-declined-released", order = order)
        );
        let sale = paid(
            shop.checkout(1, "ann", 1).await,
            &t!("spec-06-1-one-of-three"),
        );
        let after = report(&pool, 1).await;
        assert_eq!(
            (after.sold, after.units_paid),
            (1, 1),
            "{}",
            t!("spec-06-1-after-selling-one")
        );
        let charges = gateway.charges();
        assert_eq!(
            (charges.len(), charges[0].amount, &charges[0].id),
            (1, PRICE, &sale.charge),
            "{}",
            t!("spec-06-1-one-charge", price = PRICE)
        );
        add_product(&pool, 2, 10, PRICE)
            .await
            .or_fail(|| t!("spec-06-step-adding-a-product"));
        for buyer in ["b2", "b3", "b4", "b5"] {
            paid(
                shop.checkout(2, buyer, 1).await,
                &t!("spec-06-1-reply-may-be-lost"),
            );
        }
        assert_no_violation(&violations);
        assert_charges_match_orders(&gateway, &pool).await;
        assert_eq!(gateway.charges().len(), 5, "{}", t!("spec-06-1-five-sales"));
        assert_settled(&report(&pool, 2).await, &t!("spec-06-1-after-five-sales"));
    })
    .await;
}

fn paid(result: Result<Order, CheckoutError>, what: &str) -> Order {
    result.unwrap_or_else(|e| {
        panic!(
            "{}",
            t!("spec-06-1-must-be-paid", what = what, error = e.to_string())
        )
    })
}

/// The gateway charges, then loses the reply of every attempt the client
/// makes, so the client gives up without a refusal. The money moved, and
/// nobody on the shop's side knows: the checkout must say the payment is in
/// doubt and leave the order reserved for a reconciler (not released: the
/// buyer paid; not paid: there is no charge id), and must not pay once more
/// under another key. The shop goes on selling meanwhile.
pub async fn a_payment_in_doubt_is_neither_released_nor_charged_twice(subject: Subject) {
    with_checkout(subject, |shop, gateway, violations, pool| async move {
        add_product(&pool, 1, 3, PRICE)
            .await
            .or_fail(|| t!("spec-06-step-adding-a-product"));
        gateway.lose_next(CLIENT.max_attempts);
        let doubt = shop.checkout(1, "ann", 1).await;
        assert_no_violation(&violations);
        let order = match charged_unpaid(&gateway, &pool).await.as_slice() {
            [(charged, state)] if state == "reserved" => *charged,
            [(charged, state)] => panic!(
                "{}",
                t!("spec-06-1-charged-not-paid", order = charged, state = state)
            ),
            _ => panic!(
                "{}",
                t!(
                    "spec-06-1-in-doubt-one-charge",
                    charges = gateway.charges().len()
                )
            ),
        };
        assert!(
            matches!(doubt, Err(CheckoutError::PaymentInDoubt(o, _)) if o == order),
            "{}",
            t!(
                "spec-06-1-in-doubt",
                order = order,
                attempts = CLIENT.max_attempts,
                got = format!("{doubt:?}")
            )
        );
        paid(
            shop.checkout(1, "bob", 1).await,
            &t!("spec-06-1-after-in-doubt"),
        );
        let after = report(&pool, 1).await;
        assert_eq!(
            (after.reserved, after.orders_reserved, after.sold),
            (1, 1, 1),
            "{}",
            t!(
                "spec-06-1-in-doubt-units",
                reserved = after.reserved,
                orders = after.orders_reserved,
                sold = after.sold
            )
        );
    })
    .await;
}

/// 100 buyers at once for 50 units, one in five asking for more than the
/// card limit allows (declined), the gateway losing every fifth new charge's
/// reply, three rounds: no transaction across the payment call, no double
/// charge, no orphan reservation (sold and released add up to what was
/// reserved), no oversell, and sold equals the paid orders.
pub async fn hundred_checkouts_of_fifty_units(subject: Subject) {
    with_checkout(subject, |shop, gateway, violations, pool| async move {
        let mut sales = 0;
        for product in 1..=ROUNDS {
            add_product(&pool, product, UNITS, PRICE)
                .await
                .or_fail(|| t!("spec-06-step-adding-a-product"));
            let results = together(BUYERS, |i| {
                let shop = shop.clone();
                let qty = if i % 5 == 0 { DECLINED_QTY } else { 1 };
                async move { (i, shop.checkout(product, &format!("buyer-{i}"), qty).await) }
            })
            .await;
            assert_no_violation(&violations);
            assert_charges_match_orders(&gateway, &pool).await;
            let report = report(&pool, product).await;
            assert_settled(&report, &t!("spec-06-1-round", product = product));
            assert!(
                report.sold <= report.stock,
                "{}",
                t!(
                    "spec-06-1-oversold",
                    product = product,
                    sold = report.sold,
                    stock = report.stock,
                    over = report.sold - report.stock
                )
            );
            let mut ok = 0;
            for (i, result) in &results {
                match result {
                    Ok(_) if i % 5 != 0 => ok += 1,
                    Err(CheckoutError::OutOfStock) => {}
                    Err(CheckoutError::Declined(_)) if i % 5 == 0 => {}
                    other => panic!(
                        "{}",
                        t!(
                            "spec-06-1-buyer-gave",
                            product = product,
                            i = i,
                            got = format!("{other:?}"),
                            expected = if i % 5 == 0 {
                                t!("spec-06-1-expected-declined")
                            } else {
                                t!("spec-06-1-expected-paid")
                            }
                        )
                    ),
                }
            }
            assert_eq!(
                (report.sold, report.orders_paid, report.units_paid),
                (ok, ok, ok),
                "{}",
                t!("spec-06-1-paid-say-so", product = product, ok = ok)
            );
            sales += ok as usize;
            assert_eq!(
                gateway.charges().len(),
                sales,
                "{}",
                t!("spec-06-1-charge-per-order", product = product)
            );
        }
    })
    .await;
}
