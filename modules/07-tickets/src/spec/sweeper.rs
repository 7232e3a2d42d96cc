//! Spec of 07.3. The sweeper frees exactly the reservations whose time is up
//! (at or before now, by the injected clock), empties those carts and leaves
//! everything else alone. Racing a checkout of the same ticket, exactly one
//! wins: the spec's checkout holds the ticket's row lock, sells it, and
//! commits only once the sweeper is waiting for that lock (three rounds).
//! The Redis half: a ticket whose lock a worker holds is left for the next
//! pass, the sweeper's own locks are released, and a sweeper paused while it
//! holds a lock, whose lock then expires and is taken by a worker, must not
//! release the worker's lock.

use super::erased::DynSweeper;
use super::{OrFail, T0, lock_stolen_while_held, until_blocked_or_done, with_both};
use crate::clock::Clock;
use crate::sweeper::Freed;
use crate::tickets::{self, LOCK_TTL, Status, lock_key, owner_token};
use racecourse_kit::i18n::t;
use racecourse_kit::pause::Pausable;
use racecourse_kit::spec::{Check, Runtime};
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::sync::Arc;

/// Makes the sweeper on a pool, the locks' connection and key prefix, and a clock.
pub type MakeSweeper = fn(PgPool, ConnectionManager, &str, Clock) -> Arc<dyn DynSweeper>;

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
        Check::new(
            "a_ticket_a_worker_holds_waits_for_the_next_pass",
            threads,
            a_ticket_a_worker_holds_waits_for_the_next_pass(make),
        ),
        Check::new(
            "a_lock_that_expired_is_not_released",
            threads,
            a_lock_that_expired_is_not_released(make),
        ),
    ]
}

async fn sweep(sweeper: &dyn DynSweeper) -> Vec<Freed> {
    let mut freed = sweeper
        .sweep()
        .await
        .unwrap_or_else(|e| panic!("{}", t!("spec-07-3-sweep-failed", error = e.to_string())));
    freed.sort_by_key(|f| f.ticket);
    freed
}

async fn frees_expired_reservations_and_empties_carts(make: MakeSweeper) {
    with_both(move |pool, slot| async move {
        let (_, ids) = tickets::create_concert(&pool, "Spec", 5, 4000)
            .await
            .or_fail(|| t!("spec-07-step-concert"));
        let users = ["ann", "bob", "cy"];
        for (i, user) in users.iter().enumerate() {
            tickets::reserve_directly(&pool, ids[i], user, T0 + 10_000 * (i as i64 + 1))
                .await
                .or_fail(|| t!("spec-07-step-reserving"));
        }
        sqlx::query("UPDATE tickets SET status = 'SOLD' WHERE id = $1")
            .bind(ids[3])
            .execute(&pool)
            .await
            .or_fail(|| t!("spec-07-step-selling"));
        let clock = Clock::manual(T0 + 20_000);
        let sweeper = make(pool.clone(), slot.conn.clone(), &slot.prefix, clock);
        let freed = sweep(&*sweeper).await;
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
            "{}",
            t!("spec-07-3-frees-lapsed", now = T0 + 20_000)
        );
        for (i, user) in users.iter().enumerate() {
            let row = tickets::ticket(&pool, ids[i])
                .await
                .or_fail(|| t!("spec-07-step-reading"))
                .or_fail(|| t!("spec-07-step-ticket"));
            let cart = tickets::cart(&pool, user)
                .await
                .or_fail(|| t!("spec-07-step-reading-the-cart"));
            if i < 2 {
                assert_eq!(
                    (row.status, row.reserved_by, row.reserved_until),
                    (Status::Available, None, None),
                    "{}",
                    t!("spec-07-3-freed-available")
                );
                assert!(
                    cart.is_empty(),
                    "{}",
                    t!(
                        "spec-07-3-cart-empty",
                        user = *user,
                        cart = format!("{cart:?}")
                    )
                );
            } else {
                assert_eq!(row.status, Status::Reserved, "{}", t!("spec-07-3-cy-valid"));
                assert_eq!(cart.len(), 1, "{}", t!("spec-07-3-cy-keeps"));
            }
        }
        let sold = tickets::ticket(&pool, ids[3])
            .await
            .or_fail(|| t!("spec-07-step-reading"))
            .or_fail(|| t!("spec-07-step-ticket"));
        assert_eq!(
            sold.status,
            Status::Sold,
            "{}",
            t!("spec-07-3-sold-untouched")
        );
        let again = sweep(&*sweeper).await;
        assert!(
            again.is_empty(),
            "{}",
            t!("spec-07-3-second-sweep", freed = format!("{again:?}"))
        );
    })
    .await;
}

async fn sweeper_and_checkout_racing_exactly_one_wins(make: MakeSweeper) {
    with_both(move |pool, slot| async move {
        for _ in 0..ROUNDS {
            let (_, ids) = tickets::create_concert(&pool, "Spec", 1, 4000).await.or_fail(|| t!("spec-07-step-concert"));
            let ticket = ids[0];
            let until = T0 + 1_000;
            tickets::reserve_directly(&pool, ticket, "ann", until).await.or_fail(|| t!("spec-07-step-reserving"));
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
            .or_fail(|| t!("spec-07-step-selling"));
            assert_eq!(sold.rows_affected(), 1);
            let (order,): (i64,) = sqlx::query_as(
                "INSERT INTO orders (user_id, total, created_at) VALUES ('ann', 4000, $1) RETURNING id",
            )
            .bind(until - 1)
            .fetch_one(&mut *sale)
            .await
            .or_fail(|| t!("spec-07-step-order"));
            sqlx::query("INSERT INTO order_items (order_id, ticket_id, price) VALUES ($1, $2, 4000)")
                .bind(order)
                .bind(ticket)
                .execute(&mut *sale)
                .await
                .or_fail(|| t!("spec-07-step-order-item"));
            sqlx::query("DELETE FROM cart_items WHERE ticket_id = $1")
                .bind(ticket)
                .execute(&mut *sale)
                .await
                .or_fail(|| t!("spec-07-step-cart"));
            // The sweeper runs a moment later, when the reservation has ended.
            let sweeper = make(pool.clone(), slot.conn.clone(), &slot.prefix, Clock::manual(until + 1));
            let sweeping = tokio::spawn(async move { sweep(&*sweeper).await });
            until_blocked_or_done(&pool, &sweeping).await;
            sale.commit().await.expect("COMMIT");
            let freed = racecourse_kit::spec::join(sweeping).await;
            let row = tickets::ticket(&pool, ticket).await.or_fail(|| t!("spec-07-step-reading")).or_fail(|| t!("spec-07-step-ticket"));
            let sales = tickets::times_sold(&pool, ticket).await.or_fail(|| t!("spec-07-step-reading"));
            assert!(
                row.status == Status::Sold && freed.is_empty(),
                "{}",
                t!(
                    "spec-07-3-both-won",
                    ticket = ticket,
                    status = format!("{:?}", row.status),
                    sales = sales,
                    freed = format!("{freed:?}")
                )
            );
        }
    })
    .await;
}

async fn a_ticket_a_worker_holds_waits_for_the_next_pass(make: MakeSweeper) {
    with_both(move |pool, slot| async move {
        let (_, ids) = tickets::create_concert(&pool, "Spec", 2, 4000)
            .await
            .or_fail(|| t!("spec-07-step-concert"));
        for (ticket, user) in ids.iter().zip(["ann", "bob"]) {
            tickets::reserve_directly(&pool, *ticket, user, T0 + 1_000)
                .await
                .or_fail(|| t!("spec-07-step-reserving"));
        }
        // A worker is serving a request for ann's ticket: it holds the lock.
        let mut conn = slot.conn.clone();
        let (held, own) = (
            lock_key(&slot.prefix, ids[0]),
            lock_key(&slot.prefix, ids[1]),
        );
        let worker = owner_token();
        let _: () = redis::cmd("SET")
            .arg(&held)
            .arg(&worker)
            .arg("PX")
            .arg(10_000)
            .query_async(&mut conn)
            .await
            .expect("SET");
        let sweeper = make(
            pool.clone(),
            slot.conn.clone(),
            &slot.prefix,
            Clock::manual(T0 + 2_000),
        );
        let freed = sweep(&*sweeper).await;
        let row = tickets::ticket(&pool, ids[0])
            .await
            .or_fail(|| t!("spec-07-step-reading"))
            .or_fail(|| t!("spec-07-step-ticket"));
        assert!(
            row.status == Status::Reserved && freed.iter().all(|f| f.ticket != ids[0]),
            "{}",
            t!(
                "spec-07-3-freed-anyway",
                ticket = ids[0],
                key = held.as_str(),
                status = format!("{:?}", row.status),
                freed = format!("{freed:?}")
            )
        );
        assert_eq!(
            freed,
            vec![Freed {
                ticket: ids[1],
                user: "bob".into(),
            }],
            "{}",
            t!("spec-07-3-free-bob")
        );
        let held_by: Option<String> = redis::cmd("GET")
            .arg(&held)
            .query_async(&mut conn)
            .await
            .expect("GET");
        assert_eq!(
            held_by.as_deref(),
            Some(worker.as_str()),
            "{}",
            t!("spec-07-3-changed-workers-lock", ticket = ids[0])
        );
        let left: i64 = redis::cmd("EXISTS")
            .arg(&own)
            .query_async(&mut conn)
            .await
            .expect("EXISTS");
        assert_eq!(
            left,
            0,
            "{}",
            t!(
                "spec-07-3-lock-left-behind",
                key = own.as_str(),
                ticket = ids[1]
            )
        );
        // The worker lets go; the next pass frees ann's reservation.
        let _: i64 = redis::cmd("DEL")
            .arg(&held)
            .query_async(&mut conn)
            .await
            .expect("DEL");
        let again = sweep(&*sweeper).await;
        assert_eq!(
            again,
            vec![Freed {
                ticket: ids[0],
                user: "ann".into(),
            }],
            "{}",
            t!("spec-07-3-next-pass", ticket = ids[0])
        );
    })
    .await;
}

async fn a_lock_that_expired_is_not_released(make: MakeSweeper) {
    with_both(move |pool, slot| async move {
        let (_, ids) = tickets::create_concert(&pool, "Spec", 1, 4000)
            .await
            .or_fail(|| t!("spec-07-step-concert"));
        let ticket = ids[0];
        tickets::reserve_directly(&pool, ticket, "ann", T0 + 1_000)
            .await
            .or_fail(|| t!("spec-07-step-reserving"));
        let pausable = Pausable::connect(&slot.url)
            .await
            .unwrap_or_else(|e| panic!("{}", t!("spec-07-pausing-proxy", error = e.to_string())));
        let sweeper = make(
            pool.clone(),
            pausable.conn.clone(),
            &slot.prefix,
            Clock::manual(T0 + 2_000),
        );
        let key = lock_key(&slot.prefix, ticket);
        let sweeping = async move { sweeper.sweep().await };
        let stolen = lock_stolen_while_held(&pausable, slot.conn.clone(), &key, sweeping).await;
        let (held, ttl, worker) = (stolen.held, stolen.ttl, stolen.thief);
        assert!(
            held,
            "{}",
            t!("spec-07-3-lock-first", ticket = ticket, key = key.as_str())
        );
        assert!(
            ttl > 0 && ttl <= LOCK_TTL.as_millis() as i64,
            "{}",
            t!("spec-07-3-lock-expires", key = key.as_str(), ttl = ttl)
        );
        (stolen.outcome)
            .unwrap_or_else(|e| panic!("{}", t!("spec-07-3-sweep-failed", error = e.to_string())));
        let mut conn = slot.conn.clone();
        let now: Option<String> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .expect("GET");
        assert_eq!(
            now.as_deref(),
            Some(worker.as_str()),
            "{}",
            t!("spec-07-3-released-workers-lock", ticket = ticket)
        );
    })
    .await;
}
