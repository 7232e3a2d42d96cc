//! Spec of 07.3. The sweeper frees exactly the reservations whose time is up
//! (at or before now, by the injected clock), empties those carts and leaves
//! everything else alone. Racing a checkout of the same ticket, exactly one
//! wins: the spec's checkout holds the ticket's row lock, sells it, and
//! commits only once the sweeper is waiting for that lock (three rounds).

use super::erased::DynSweeper;
use super::{T0, until_blocked_or_done};
use crate::MIGRATOR;
use crate::clock::Clock;
use crate::sweeper::Freed;
use crate::tickets::{self, Status};
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;

/// Makes the sweeper on a pool and a clock.
pub type MakeSweeper = fn(PgPool, Clock) -> Arc<dyn DynSweeper>;

const ROUNDS: usize = 3;

/// The checks of 07.3.
pub fn checks(make: MakeSweeper) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "frees_expired_reservations_and_empties_carts",
            threads,
            frees_expired_reservations_and_empties_carts(make),
        ),
        Check::new(
            "sweeper_and_checkout_racing_exactly_one_wins",
            threads,
            sweeper_and_checkout_racing_exactly_one_wins(make),
        ),
    ]
}

async fn sweep(sweeper: &dyn DynSweeper) -> Vec<Freed> {
    let mut freed = sweeper
        .sweep()
        .await
        .unwrap_or_else(|e| panic!("sweep failed: {e}"));
    freed.sort_by_key(|f| f.ticket);
    freed
}

async fn frees_expired_reservations_and_empties_carts(make: MakeSweeper) {
    with_pg(&MIGRATOR, move |pool| async move {
        let (_, ids) = tickets::create_concert(&pool, "Spec", 5, 4000)
            .await
            .expect("concert");
        let users = ["ann", "bob", "cy"];
        for (i, user) in users.iter().enumerate() {
            tickets::reserve_directly(&pool, ids[i], user, T0 + 10_000 * (i as i64 + 1))
                .await
                .expect("reserving");
        }
        sqlx::query("UPDATE tickets SET status = 'SOLD' WHERE id = $1")
            .bind(ids[3])
            .execute(&pool)
            .await
            .expect("selling");
        let clock = Clock::manual(T0 + 20_000);
        let freed = sweep(&*make(pool.clone(), clock.clone())).await;
        let expected = vec![
            Freed {
                ticket: ids[0],
                user: "ann".into(),
            },
            Freed {
                ticket: ids[1],
                user: "bob".into(),
            },
        ];
        assert_eq!(
            freed,
            expected,
            "at {} ann's reservation ended 10 s ago and bob's ends now (reserved_until <= now): \
             both must be freed, cy's (10 s left) kept, the SOLD ticket left alone",
            T0 + 20_000
        );
        for (i, user) in users.iter().enumerate() {
            let row = tickets::ticket(&pool, ids[i])
                .await
                .expect("reading")
                .expect("ticket");
            let cart = tickets::cart(&pool, user).await.expect("reading the cart");
            if i < 2 {
                assert_eq!(
                    (row.status, row.reserved_by, row.reserved_until),
                    (Status::Available, None, None),
                    "a freed ticket must be AVAILABLE with no owner and no deadline"
                );
                assert!(
                    cart.is_empty(),
                    "{user}'s reservation ended: the cart must be empty, holds {cart:?}"
                );
            } else {
                assert_eq!(
                    row.status,
                    Status::Reserved,
                    "cy's reservation is still valid"
                );
                assert_eq!(cart.len(), 1, "cy's cart must keep the ticket");
            }
        }
        let sold = tickets::ticket(&pool, ids[3])
            .await
            .expect("reading")
            .expect("ticket");
        assert_eq!(
            sold.status,
            Status::Sold,
            "the sweeper must not touch a SOLD ticket"
        );
        let again = sweep(&*make(pool.clone(), clock)).await;
        assert!(
            again.is_empty(),
            "a second sweep at the same time must free nothing, freed {again:?}"
        );
    })
    .await;
}

async fn sweeper_and_checkout_racing_exactly_one_wins(make: MakeSweeper) {
    with_pg(&MIGRATOR, move |pool| async move {
        for _ in 0..ROUNDS {
            let (_, ids) = tickets::create_concert(&pool, "Spec", 1, 4000).await.expect("concert");
            let ticket = ids[0];
            let until = T0 + 1_000;
            tickets::reserve_directly(&pool, ticket, "ann", until).await.expect("reserving");
            // Ann's checkout read the clock just before her reservation ended,
            // found it valid and is selling the ticket, row lock held.
            let mut sale = pool.begin().await.expect("BEGIN");
            let sold = sqlx::query(
                "UPDATE tickets SET status = 'SOLD' WHERE id = $1 AND status = 'RESERVED'
                   AND reserved_by = 'ann' AND reserved_until > $2",
            )
            .bind(ticket)
            .bind(until - 1)
            .execute(&mut *sale)
            .await
            .expect("selling");
            assert_eq!(sold.rows_affected(), 1);
            let (order,): (i64,) = sqlx::query_as(
                "INSERT INTO orders (user_id, total, created_at) VALUES ('ann', 4000, $1) RETURNING id",
            )
            .bind(until - 1)
            .fetch_one(&mut *sale)
            .await
            .expect("order");
            sqlx::query("INSERT INTO order_items (order_id, ticket_id, price) VALUES ($1, $2, 4000)")
                .bind(order)
                .bind(ticket)
                .execute(&mut *sale)
                .await
                .expect("order item");
            sqlx::query("DELETE FROM cart_items WHERE ticket_id = $1")
                .bind(ticket)
                .execute(&mut *sale)
                .await
                .expect("cart");
            // The sweeper runs a moment later, when the reservation has ended.
            let sweeper = make(pool.clone(), Clock::manual(until + 1));
            let sweeping = tokio::spawn(async move { sweep(&*sweeper).await });
            until_blocked_or_done(&pool, &sweeping).await;
            sale.commit().await.expect("COMMIT");
            let freed = racecourse_kit::spec::join(sweeping).await;
            let row = tickets::ticket(&pool, ticket).await.expect("reading").expect("ticket");
            let sales = tickets::times_sold(&pool, ticket).await.expect("reading");
            assert!(
                row.status == Status::Sold && freed.is_empty(),
                "ann's checkout sold ticket {ticket} (committed while the sweeper ran) and the \
                 sweeper freed it too: now {:?} with {sales} sale(s), sweeper answered {freed:?}. \
                 Both won. Decide in the UPDATE itself (WHERE status = 'RESERVED' AND \
                 reserved_until <= now), which PostgreSQL re-checks after the row lock is \
                 released, not from a list selected before",
                row.status
            );
        }
    })
    .await;
}
