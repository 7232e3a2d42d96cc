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
use super::{T0, until_blocked_or_done, until_blocked_or_done_by};
use crate::MIGRATOR;
use crate::checkout::{CheckoutError, Order};
use crate::clock::Clock;
use crate::tickets::{self, Status};
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
        .expect("reading")
        .expect("the ticket")
        .status
}

/// Asserts that nothing of `user`'s was sold.
async fn nothing_sold(pool: &PgPool, user: &str, tickets_: &[i64], why: &str) {
    let orders = tickets::orders_of(pool, user).await.expect("reading");
    let mut sold = Vec::new();
    for t in tickets_ {
        if tickets::times_sold(pool, *t).await.expect("reading") > 0
            || status(pool, *t).await == Status::Sold
        {
            sold.push(*t);
        }
    }
    assert!(
        orders == 0 && sold.is_empty(),
        "{why}: checkout must sell nothing, but {user} has {orders} order(s) and tickets \
         {sold:?} were sold. Check every reservation, then write the order, its items and \
         SOLD in one transaction, or roll it all back"
    );
}

async fn a_valid_cart_becomes_one_order(make: MakeCheckout) {
    with_pg(&MIGRATOR, move |pool| async move {
        let (_, ids) = tickets::create_concert(&pool, "Spec", 4, PRICE)
            .await
            .expect("concert");
        for t in &ids[..3] {
            tickets::reserve_directly(&pool, *t, "ann", T0 + 60_000)
                .await
                .expect("reserving");
        }
        tickets::reserve_directly(&pool, ids[3], "bob", T0 + 60_000)
            .await
            .expect("reserving");
        let checkout = make(pool.clone(), Clock::manual(T0));
        let order: Order = checkout
            .checkout("ann")
            .await
            .unwrap_or_else(|e| panic!("ann's valid cart of 3 must check out, got: {e}"));
        let mut sold = order.tickets.clone();
        sold.sort_unstable();
        assert_eq!(
            (sold, order.total),
            (ids[..3].to_vec(), 3 * PRICE),
            "the order must hold ann's 3 tickets and cost their sum"
        );
        for t in &ids[..3] {
            assert_eq!(
                status(&pool, *t).await,
                Status::Sold,
                "ticket {t} must be SOLD"
            );
            assert_eq!(
                tickets::times_sold(&pool, *t).await.expect("reading"),
                1,
                "ticket {t} must be one order item"
            );
        }
        assert_eq!(
            tickets::orders_of(&pool, "ann").await.expect("reading"),
            1,
            "one order for ann"
        );
        assert!(
            tickets::cart(&pool, "ann")
                .await
                .expect("reading")
                .is_empty(),
            "ann's cart must be empty after checkout"
        );
        assert_eq!(
            status(&pool, ids[3]).await,
            Status::Reserved,
            "bob's reservation must be untouched"
        );
        assert_eq!(
            tickets::cart(&pool, "bob").await.expect("reading").len(),
            1,
            "bob's cart must be untouched"
        );
        match checkout.checkout("ann").await {
            Err(CheckoutError::EmptyCart) => {}
            other => panic!("a second checkout of an empty cart must be EmptyCart, got {other:?}"),
        }
    })
    .await;
}

async fn an_expired_reservation_sells_nothing(make: MakeCheckout) {
    with_pg(&MIGRATOR, move |pool| async move {
        let (_, ids) = tickets::create_concert(&pool, "Spec", 4, PRICE).await.expect("concert");
        // ann's first ticket is valid for a minute, her second ended just now.
        tickets::reserve_directly(&pool, ids[0], "ann", T0 + 60_000).await.expect("reserving");
        tickets::reserve_directly(&pool, ids[1], "ann", T0).await.expect("reserving");
        let checkout = make(pool.clone(), Clock::manual(T0));
        match checkout.checkout("ann").await {
            Err(CheckoutError::Expired(expired)) => assert_eq!(
                expired,
                vec![ids[1]],
                "Expired must name the ticket whose reservation ended"
            ),
            other => panic!(
                "ann's reservation of ticket {} ended at {T0}, which is now: checkout must \
                 answer Expired([{}]), got {other:?}. A reservation is valid while now < \
                 reserved_until",
                ids[1], ids[1]
            ),
        }
        nothing_sold(&pool, "ann", &ids[..2], "one of two reservations had expired").await;
        assert_eq!(status(&pool, ids[0]).await, Status::Reserved, "the valid reservation must stay");
        // bob's cart row is stale: the sweeper freed the ticket and cy reserved it.
        tickets::reserve_directly(&pool, ids[2], "bob", T0 + 60_000).await.expect("reserving");
        tickets::reserve_directly(&pool, ids[3], "bob", T0 + 60_000).await.expect("reserving");
        sqlx::query("UPDATE tickets SET reserved_by = 'cy' WHERE id = $1")
            .bind(ids[3])
            .execute(&pool)
            .await
            .expect("taking back");
        match checkout.checkout("bob").await {
            Err(CheckoutError::Expired(expired)) => assert_eq!(expired, vec![ids[3]], "Expired must name the ticket bob no longer holds"),
            other => panic!(
                "ticket {} is in bob's cart but reserved by cy now: checkout must answer \
                 Expired([{}]), got {other:?}. Check the reservation is bob's, not only the cart row",
                ids[3], ids[3]
            ),
        }
        nothing_sold(&pool, "bob", &ids[2..], "one of bob's reservations is now cy's").await;
    })
    .await;
}

async fn checkout_racing_the_sweeper_sells_nothing_freed(make: MakeCheckout) {
    with_pg(&MIGRATOR, move |pool| async move {
        for _ in 0..ROUNDS {
            let (_, ids) = tickets::create_concert(&pool, "Spec", 2, PRICE)
                .await
                .expect("concert");
            let until = T0 + 1_000;
            tickets::reserve_directly(&pool, ids[0], "ann", T0 + 60_000)
                .await
                .expect("reserving");
            tickets::reserve_directly(&pool, ids[1], "ann", until)
                .await
                .expect("reserving");
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
            .expect("sweeping");
            assert_eq!(freed.rows_affected(), 1);
            sqlx::query("DELETE FROM cart_items WHERE ticket_id = $1")
                .bind(ids[1])
                .execute(&mut *sweep)
                .await
                .expect("cart");
            // Ann's checkout read the clock just before, when both were valid.
            let checkout = make(pool.clone(), Clock::manual(until - 1));
            let buying = tokio::spawn(async move { checkout.checkout("ann").await });
            until_blocked_or_done(&pool, &buying).await;
            sweep.commit().await.expect("COMMIT");
            let result = racecourse_kit::spec::join(buying).await;
            let row = tickets::ticket(&pool, ids[1])
                .await
                .expect("reading")
                .expect("ticket");
            assert!(
                result.is_err() && row.status == Status::Available,
                "the sweeper freed ticket {} while ann's checkout was under way, and the \
                 checkout answered {result:?}, leaving the ticket {:?}. Both won. Lock the \
                 cart's tickets (SELECT ... FOR UPDATE) and check them after the lock, or make \
                 each UPDATE conditional on the reservation and roll back if one fails",
                ids[1],
                row.status
            );
            nothing_sold(
                &pool,
                "ann",
                &ids,
                "the sweeper freed one of the cart's tickets",
            )
            .await;
        }
    })
    .await;
}

async fn a_sweep_during_the_sale_waits_for_it(make: MakeCheckout) {
    with_pg(&MIGRATOR, move |pool| async move {
        for _ in 0..ROUNDS {
            let (_, ids) = tickets::create_concert(&pool, "Spec", 2, PRICE).await.expect("concert");
            let until = T0 + 1_000;
            tickets::reserve_directly(&pool, ids[0], "ann", T0 + 60_000).await.expect("reserving");
            tickets::reserve_directly(&pool, ids[1], "ann", until).await.expect("reserving");
            // The spec holds the orders table: checkout, past its check, waits
            // to write the order, and the spec looks and sends the sweeper in.
            let mut orders = pool.begin().await.expect("BEGIN");
            sqlx::query("LOCK TABLE orders IN SHARE MODE")
                .execute(&mut *orders)
                .await
                .expect("locking the orders");
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
            .expect("reading");
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
                .expect("sweeping")
                .rows_affected();
                sqlx::query("DELETE FROM cart_items WHERE ticket_id = $1 AND $2")
                    .bind(ticket)
                    .bind(freed == 1)
                    .execute(&mut *tx)
                    .await
                    .expect("cart");
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
                "while ann's checkout was writing her order, tickets {unowned:?} were already SOLD \
                 with no order holding them: sold to nobody, as the sweeper, the page and a second \
                 checkout saw them, and so they stay if checkout dies there. Mark them SOLD in \
                 the transaction that checks them and writes the order and its items"
            );
            let row = tickets::ticket(&pool, ticket).await.expect("reading").expect("ticket");
            let sales = tickets::times_sold(&pool, ticket).await.expect("reading");
            let one_won = if freed == 1 {
                result.is_err() && row.status == Status::Available && sales == 0
            } else {
                result.is_ok() && row.status == Status::Sold && sales == 1
            };
            assert!(
                one_won,
                "ann's checkout found ticket {ticket} valid and was writing her order when the \
                 sweeper came by: the sweeper freed it ({freed} row), the checkout answered \
                 {result:?}, and the ticket is {:?} with {sales} sale(s). Both won. Hold the \
                 row locks from the check until COMMIT: check and write in one transaction",
                row.status
            );
        }
    })
    .await;
}
