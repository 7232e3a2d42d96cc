//! Spec of 07.4. A valid cart becomes one order, its items, SOLD tickets and
//! an empty cart. A cart with one lapsed (or taken back) reservation sells
//! nothing and names it. A checkout racing the sweeper, which frees one of
//! the cart's tickets while the checkout is under way, sells nothing (three
//! rounds): the spec's sweeper holds the row lock and commits once the
//! checkout waits for it. The other way round (three rounds): the spec holds
//! the orders table, so checkout waits to write the order after its check;
//! meanwhile no ticket may be SOLD without its order, and the sweeper that
//! comes by must wait for checkout, or checkout must see the sweeper's work.

use super::erased::DynCheckout;
use super::{OrFail, T0, until_blocked_or_done, until_blocked_or_done_by};
use crate::MIGRATOR;
use crate::checkout::{CheckoutError, Order};
use crate::clock::Clock;
use crate::tickets::{self, Status};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;

/// Makes checkout on a pool and a clock.
pub type MakeCheckout = fn(PgPool, Clock) -> Arc<dyn DynCheckout>;

const ROUNDS: usize = 3;
const PRICE: i64 = 4500;

/// The checks of 07.4.
pub fn checks(make: MakeCheckout) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "a_valid_cart_becomes_one_order",
            threads,
            a_valid_cart_becomes_one_order(make),
        ),
        Check::new(
            "an_expired_reservation_sells_nothing",
            threads,
            an_expired_reservation_sells_nothing(make),
        ),
        Check::new(
            "checkout_racing_the_sweeper_sells_nothing_freed",
            threads,
            checkout_racing_the_sweeper_sells_nothing_freed(make),
        ),
        Check::new(
            "a_sweep_during_the_sale_waits_for_it",
            threads,
            a_sweep_during_the_sale_waits_for_it(make),
        ),
    ]
}

async fn status(pool: &PgPool, ticket: i64) -> Status {
    tickets::ticket(pool, ticket)
        .await
        .or_fail(|| t!("spec-07-step-reading"))
        .or_fail(|| t!("spec-07-step-the-ticket"))
        .status
}

/// Asserts that nothing of `user`'s was sold.
async fn nothing_sold(pool: &PgPool, user: &str, tickets_: &[i64], why: &str) {
    let orders = tickets::orders_of(pool, user)
        .await
        .or_fail(|| t!("spec-07-step-reading"));
    let mut sold = Vec::new();
    for t in tickets_ {
        if tickets::times_sold(pool, *t)
            .await
            .or_fail(|| t!("spec-07-step-reading"))
            > 0
            || status(pool, *t).await == Status::Sold
        {
            sold.push(*t);
        }
    }
    assert!(
        orders == 0 && sold.is_empty(),
        "{}",
        t!(
            "spec-07-4-nothing-sold",
            why = why,
            user = user,
            orders = orders,
            sold = format!("{sold:?}")
        )
    );
}

async fn a_valid_cart_becomes_one_order(make: MakeCheckout) {
    with_pg(&MIGRATOR, move |pool| async move {
        let (_, ids) = tickets::create_concert(&pool, "Spec", 4, PRICE)
            .await
            .or_fail(|| t!("spec-07-step-concert"));
        for t in &ids[..3] {
            tickets::reserve_directly(&pool, *t, "ann", T0 + 60_000)
                .await
                .or_fail(|| t!("spec-07-step-reserving"));
        }
        tickets::reserve_directly(&pool, ids[3], "bob", T0 + 60_000)
            .await
            .or_fail(|| t!("spec-07-step-reserving"));
        let checkout = make(pool.clone(), Clock::manual(T0));
        let order: Order = checkout
            .checkout("ann")
            .await
            .unwrap_or_else(|e| panic!("{}", t!("spec-07-4-valid-cart", error = e.to_string())));
        let mut sold = order.tickets.clone();
        sold.sort_unstable();
        assert_eq!(
            (sold, order.total),
            (ids[..3].to_vec(), 3 * PRICE),
            "{}",
            t!("spec-07-4-order-holds")
        );
        for t in &ids[..3] {
            assert_eq!(
                status(&pool, *t).await,
                Status::Sold,
                "{}",
                t!("spec-07-4-sold", ticket = *t)
            );
            assert_eq!(
                tickets::times_sold(&pool, *t)
                    .await
                    .or_fail(|| t!("spec-07-step-reading")),
                1,
                "{}",
                t!("spec-07-4-one-item", ticket = *t)
            );
        }
        assert_eq!(
            tickets::orders_of(&pool, "ann")
                .await
                .or_fail(|| t!("spec-07-step-reading")),
            1,
            "{}",
            t!("spec-07-4-one-order")
        );
        assert!(
            tickets::cart(&pool, "ann")
                .await
                .or_fail(|| t!("spec-07-step-reading"))
                .is_empty(),
            "{}",
            t!("spec-07-4-cart-empty")
        );
        assert_eq!(
            status(&pool, ids[3]).await,
            Status::Reserved,
            "{}",
            t!("spec-07-4-bobs-reservation")
        );
        assert_eq!(
            tickets::cart(&pool, "bob")
                .await
                .or_fail(|| t!("spec-07-step-reading"))
                .len(),
            1,
            "{}",
            t!("spec-07-4-bobs-cart")
        );
        match checkout.checkout("ann").await {
            Err(CheckoutError::EmptyCart) => {}
            other => panic!("{}", t!("spec-07-4-empty-cart", got = format!("{other:?}"))),
        }
    })
    .await;
}

async fn an_expired_reservation_sells_nothing(make: MakeCheckout) {
    with_pg(&MIGRATOR, move |pool| async move {
        let (_, ids) = tickets::create_concert(&pool, "Spec", 4, PRICE)
            .await
            .or_fail(|| t!("spec-07-step-concert"));
        // ann's first ticket is valid for a minute, her second ended just now.
        tickets::reserve_directly(&pool, ids[0], "ann", T0 + 60_000)
            .await
            .or_fail(|| t!("spec-07-step-reserving"));
        tickets::reserve_directly(&pool, ids[1], "ann", T0)
            .await
            .or_fail(|| t!("spec-07-step-reserving"));
        let checkout = make(pool.clone(), Clock::manual(T0));
        match checkout.checkout("ann").await {
            Err(CheckoutError::Expired(expired)) => {
                assert_eq!(expired, vec![ids[1]], "{}", t!("spec-07-4-name-ended"))
            }
            other => panic!(
                "{}",
                t!(
                    "spec-07-4-ann-expired",
                    ticket = ids[1],
                    now = T0,
                    got = format!("{other:?}")
                )
            ),
        }
        nothing_sold(&pool, "ann", &ids[..2], &t!("spec-07-4-why-expired")).await;
        assert_eq!(
            status(&pool, ids[0]).await,
            Status::Reserved,
            "{}",
            t!("spec-07-4-valid-stays")
        );
        // bob's cart row is stale: the sweeper freed the ticket and cy reserved it.
        tickets::reserve_directly(&pool, ids[2], "bob", T0 + 60_000)
            .await
            .or_fail(|| t!("spec-07-step-reserving"));
        tickets::reserve_directly(&pool, ids[3], "bob", T0 + 60_000)
            .await
            .or_fail(|| t!("spec-07-step-reserving"));
        sqlx::query("UPDATE tickets SET reserved_by = 'cy' WHERE id = $1")
            .bind(ids[3])
            .execute(&pool)
            .await
            .or_fail(|| t!("spec-07-step-taking-back"));
        match checkout.checkout("bob").await {
            Err(CheckoutError::Expired(expired)) => {
                assert_eq!(expired, vec![ids[3]], "{}", t!("spec-07-4-name-bobs"))
            }
            other => panic!(
                "{}",
                t!(
                    "spec-07-4-bob-taken-back",
                    ticket = ids[3],
                    got = format!("{other:?}")
                )
            ),
        }
        nothing_sold(&pool, "bob", &ids[2..], &t!("spec-07-4-why-taken-back")).await;
    })
    .await;
}

async fn checkout_racing_the_sweeper_sells_nothing_freed(make: MakeCheckout) {
    with_pg(&MIGRATOR, move |pool| async move {
        for _ in 0..ROUNDS {
            let (_, ids) = tickets::create_concert(&pool, "Spec", 2, PRICE)
                .await
                .or_fail(|| t!("spec-07-step-concert"));
            let until = T0 + 1_000;
            tickets::reserve_directly(&pool, ids[0], "ann", T0 + 60_000)
                .await
                .or_fail(|| t!("spec-07-step-reserving"));
            tickets::reserve_directly(&pool, ids[1], "ann", until)
                .await
                .or_fail(|| t!("spec-07-step-reserving"));
            // The sweeper, a moment after `until`, frees ticket 2 (row lock held).
            let mut sweep = pool.begin().await.expect("BEGIN");
            let freed = sqlx::query(
                "UPDATE tickets SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
                 WHERE id = $1 AND status = 'RESERVED' AND reserved_until <= $2",
            )
            .bind(ids[1])
            .bind(until + 1)
            .execute(&mut *sweep)
            .await
            .or_fail(|| t!("spec-07-step-sweeping"));
            assert_eq!(freed.rows_affected(), 1);
            sqlx::query("DELETE FROM cart_items WHERE ticket_id = $1")
                .bind(ids[1])
                .execute(&mut *sweep)
                .await
                .or_fail(|| t!("spec-07-step-cart"));
            // Ann's checkout read the clock just before, when both were valid.
            let checkout = make(pool.clone(), Clock::manual(until - 1));
            let buying = tokio::spawn(async move { checkout.checkout("ann").await });
            until_blocked_or_done(&pool, &buying).await;
            sweep.commit().await.expect("COMMIT");
            let result = racecourse_kit::spec::join(buying).await;
            let row = tickets::ticket(&pool, ids[1])
                .await
                .or_fail(|| t!("spec-07-step-reading"))
                .or_fail(|| t!("spec-07-step-ticket"));
            assert!(
                result.is_err() && row.status == Status::Available,
                "{}",
                t!(
                    "spec-07-4-racing-sweeper",
                    ticket = ids[1],
                    result = format!("{result:?}"),
                    status = format!("{:?}", row.status)
                )
            );
            nothing_sold(&pool, "ann", &ids, &t!("spec-07-4-why-swept")).await;
        }
    })
    .await;
}

async fn a_sweep_during_the_sale_waits_for_it(make: MakeCheckout) {
    with_pg(&MIGRATOR, move |pool| async move {
        for _ in 0..ROUNDS {
            let (_, ids) = tickets::create_concert(&pool, "Spec", 2, PRICE).await.or_fail(|| t!("spec-07-step-concert"));
            let until = T0 + 1_000;
            tickets::reserve_directly(&pool, ids[0], "ann", T0 + 60_000).await.or_fail(|| t!("spec-07-step-reserving"));
            tickets::reserve_directly(&pool, ids[1], "ann", until).await.or_fail(|| t!("spec-07-step-reserving"));
            // The spec holds the orders table: checkout, past its check, waits
            // to write the order, and the spec looks and sends the sweeper in.
            let mut orders = pool.begin().await.expect("BEGIN");
            sqlx::query("LOCK TABLE orders IN SHARE MODE")
                .execute(&mut *orders)
                .await
                .or_fail(|| t!("spec-07-step-locking-the-orders"));
            let checkout = make(pool.clone(), Clock::manual(until - 1));
            let buying = tokio::spawn(async move { checkout.checkout("ann").await });
            until_blocked_or_done(&pool, &buying).await;
            // What the sweeper, the page and a second checkout see now.
            let unowned: Vec<(i64,)> = sqlx::query_as(
                "SELECT t.id FROM tickets t WHERE t.id = ANY($1) AND t.status = 'SOLD'
                   AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.ticket_id = t.id)
                 ORDER BY t.id",
            )
            .bind(&ids)
            .fetch_all(&pool)
            .await
            .or_fail(|| t!("spec-07-step-reading"));
            // The sweeper, a moment after `until`, frees ticket 2 if it can.
            let sweeper_pool = pool.clone();
            let ticket = ids[1];
            let sweeping = tokio::spawn(async move {
                let mut tx = sweeper_pool.begin().await.expect("BEGIN");
                let freed = sqlx::query(
                    "UPDATE tickets SET status = 'AVAILABLE', reserved_by = NULL, reserved_until = NULL
                     WHERE id = $1 AND status = 'RESERVED' AND reserved_until <= $2",
                )
                .bind(ticket)
                .bind(until + 1)
                .execute(&mut *tx)
                .await
                .or_fail(|| t!("spec-07-step-sweeping"))
                .rows_affected();
                sqlx::query("DELETE FROM cart_items WHERE ticket_id = $1 AND $2")
                    .bind(ticket)
                    .bind(freed == 1)
                    .execute(&mut *tx)
                    .await
                    .or_fail(|| t!("spec-07-step-cart"));
                tx.commit().await.expect("COMMIT");
                freed
            });
            // Checkout and the sweeper both waiting, or the sweeper done.
            until_blocked_or_done_by(&pool, &sweeping, 2).await;
            orders.rollback().await.expect("ROLLBACK");
            let result = racecourse_kit::spec::join(buying).await;
            let freed = racecourse_kit::spec::join(sweeping).await;
            let unowned: Vec<i64> = unowned.into_iter().map(|(id,)| id).collect();
            assert!(
                unowned.is_empty(),
                "{}",
                t!("spec-07-4-sold-to-nobody", tickets = format!("{unowned:?}"))
            );
            let row = tickets::ticket(&pool, ticket).await.or_fail(|| t!("spec-07-step-reading")).or_fail(|| t!("spec-07-step-ticket"));
            let sales = tickets::times_sold(&pool, ticket).await.or_fail(|| t!("spec-07-step-reading"));
            let one_won = if freed == 1 {
                result.is_err() && row.status == Status::Available && sales == 0
            } else {
                result.is_ok() && row.status == Status::Sold && sales == 1
            };
            assert!(
                one_won,
                "{}",
                t!(
                    "spec-07-4-sweep-during-sale",
                    ticket = ticket,
                    freed = freed,
                    result = format!("{result:?}"),
                    status = format!("{:?}", row.status),
                    sales = sales
                )
            );
        }
    })
    .await;
}
