//! Spec of 07.2. Twenty workers serve twenty requests for one ticket at once:
//! exactly one user gets it, in exactly one cart, and a later request loses
//! (five rounds). The reservation lasts the configured TTL by the injected
//! clock. A worker paused while it holds the lock, whose lock then expires
//! and is taken by another, must not release the other's lock.

use super::erased::DynReserver;
use super::{OrFail, T0, lock_stolen_while_held, together, with_both};
use crate::clock::Clock;
use crate::queue::Entry;
use crate::tickets::{self, LOCK_TTL, Status, lock_key, owner_token};
use crate::worker::Outcome;
use racecourse_kit::i18n::t;
use racecourse_kit::pause::Pausable;
use racecourse_kit::spec::{Check, Runtime};
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// Makes the worker's reserving step.
pub type MakeReserver =
    fn(PgPool, ConnectionManager, &str, Clock, Duration) -> Arc<dyn DynReserver>;

const WORKERS: usize = 20;
const ROUNDS: usize = 5;

/// The checks of 07.2.
pub fn checks(make: MakeReserver) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "one_reservation_per_ticket_ever",
            threads,
            one_reservation_per_ticket_ever(make),
        ),
        Check::new(
            "the_reservation_lasts_the_configured_ttl",
            threads,
            the_reservation_lasts_the_configured_ttl(make),
        ),
        Check::new(
            "a_lock_that_expired_is_not_released",
            threads,
            a_lock_that_expired_is_not_released(make),
        ),
    ]
}

fn entry(ticket: i64, user: &str) -> Entry {
    Entry {
        queue_id: owner_token(),
        ticket,
        user: user.into(),
    }
}

/// Serves `entry`, trying again while another worker holds the lock.
async fn serve(reserver: &dyn DynReserver, entry: &Entry) -> Outcome {
    for _ in 0..2000 {
        match reserver.reserve(entry).await {
            Ok(Outcome::Busy) => tokio::time::sleep(Duration::from_millis(1)).await,
            Ok(outcome) => return outcome,
            Err(e) => panic!(
                "{}",
                t!(
                    "spec-07-2-reserve-failed",
                    user = entry.user.as_str(),
                    error = e.to_string()
                )
            ),
        }
    }
    panic!(
        "{}",
        t!("spec-07-2-always-busy", user = entry.user.as_str())
    )
}

async fn queued_ticket(pool: &PgPool) -> i64 {
    let (_, ids) = tickets::create_concert(pool, "Spec", 1, 5000)
        .await
        .or_fail(|| t!("spec-07-step-creating-a-concert"));
    assert!(
        tickets::mark_in_queue(pool, ids[0])
            .await
            .or_fail(|| t!("spec-07-step-queueing"))
    );
    ids[0]
}

async fn one_reservation_per_ticket_ever(make: MakeReserver) {
    with_both(move |pool, slot| async move {
        let clock = Clock::manual(T0);
        for _ in 0..ROUNDS {
            let ticket = queued_ticket(&pool).await;
            let outcomes = together(WORKERS, |i| {
                let worker = make(
                    pool.clone(),
                    slot.conn.clone(),
                    &slot.prefix,
                    clock.clone(),
                    tickets::RESERVATION_TTL,
                );
                async move {
                    (
                        format!("user{i}"),
                        serve(&*worker, &entry(ticket, &format!("user{i}"))).await,
                    )
                }
            })
            .await;
            let winners: Vec<&String> = outcomes
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Reserved { .. }))
                .map(|(u, _)| u)
                .collect();
            assert_eq!(
                winners.len(),
                1,
                "{}",
                t!(
                    "spec-07-2-one-winner",
                    workers = WORKERS,
                    winners = winners.len(),
                    who = format!("{winners:?}")
                )
            );
            let holders = tickets::carts_holding(&pool, ticket)
                .await
                .or_fail(|| t!("spec-07-step-reading-carts"));
            assert_eq!(
                holders,
                vec![winners[0].clone()],
                "{}",
                t!("spec-07-2-winners-cart", holders = format!("{holders:?}"))
            );
            let row = tickets::ticket(&pool, ticket)
                .await
                .or_fail(|| t!("spec-07-step-reading"))
                .or_fail(|| t!("spec-07-step-the-ticket"));
            assert_eq!(
                (row.status, row.reserved_by.as_ref()),
                (Status::Reserved, Some(winners[0])),
                "{}",
                t!("spec-07-2-reserved-by-winner")
            );
            let late = make(
                pool.clone(),
                slot.conn.clone(),
                &slot.prefix,
                clock.clone(),
                tickets::RESERVATION_TTL,
            );
            let outcome = serve(&*late, &entry(ticket, "latecomer")).await;
            assert_eq!(
                outcome,
                Outcome::Lost,
                "{}",
                t!("spec-07-2-late-loses", got = format!("{outcome:?}"))
            );
            let holders = tickets::carts_holding(&pool, ticket)
                .await
                .or_fail(|| t!("spec-07-step-reading-carts"));
            assert_eq!(
                holders.len(),
                1,
                "{}",
                t!("spec-07-2-ended-in-carts", holders = format!("{holders:?}"))
            );
        }
    })
    .await;
}

async fn the_reservation_lasts_the_configured_ttl(make: MakeReserver) {
    with_both(move |pool, slot| async move {
        for ttl in [tickets::RESERVATION_TTL, Duration::from_secs(90)] {
            let clock = Clock::manual(T0);
            let ticket = queued_ticket(&pool).await;
            let worker = make(pool.clone(), slot.conn.clone(), &slot.prefix, clock, ttl);
            let outcome = serve(&*worker, &entry(ticket, "ann")).await;
            let until = T0 + ttl.as_millis() as i64;
            assert_eq!(
                outcome,
                Outcome::Reserved { until_ms: until },
                "{}",
                t!(
                    "spec-07-2-lasts-ttl",
                    ttl = format!("{ttl:?}"),
                    now = T0,
                    until = until
                )
            );
            let row = tickets::ticket(&pool, ticket)
                .await
                .or_fail(|| t!("spec-07-step-reading"))
                .or_fail(|| t!("spec-07-step-the-ticket"));
            assert_eq!(
                row.reserved_until,
                Some(until),
                "{}",
                t!("spec-07-2-reserved-until")
            );
            let cart = tickets::cart(&pool, "ann")
                .await
                .or_fail(|| t!("spec-07-step-reading-the-cart"));
            assert!(
                cart.iter()
                    .any(|c| c.ticket == ticket && c.expires_at == until),
                "{}",
                t!(
                    "spec-07-2-anns-cart",
                    ticket = ticket,
                    until = until,
                    cart = format!("{cart:?}")
                )
            );
        }
    })
    .await;
}

async fn a_lock_that_expired_is_not_released(make: MakeReserver) {
    with_both(move |pool, slot| async move {
        let ticket = queued_ticket(&pool).await;
        let pausable = Pausable::connect(&slot.url)
            .await
            .unwrap_or_else(|e| panic!("{}", t!("spec-07-pausing-proxy", error = e.to_string())));
        let worker = make(
            pool.clone(),
            pausable.conn.clone(),
            &slot.prefix,
            Clock::manual(T0),
            tickets::RESERVATION_TTL,
        );
        let key = lock_key(&slot.prefix, ticket);
        let serving = async move { worker.reserve(&entry(ticket, "ann")).await };
        let stolen = lock_stolen_while_held(&pausable, slot.conn.clone(), &key, serving).await;
        let (held, ttl, other) = (stolen.held, stolen.ttl, stolen.thief);
        assert!(held, "{}", t!("spec-07-2-lock-first", key = key.as_str()));
        assert!(
            ttl > 0 && ttl <= LOCK_TTL.as_millis() as i64,
            "{}",
            t!("spec-07-2-lock-expires", key = key.as_str(), ttl = ttl)
        );
        (stolen.outcome)
            .unwrap_or_else(|e| panic!("{}", t!("spec-07-2-failed", error = e.to_string())));
        let mut conn = slot.conn.clone();
        let now: Option<String> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .expect("GET");
        assert_eq!(
            now.as_deref(),
            Some(other.as_str()),
            "{}",
            t!("spec-07-2-released-other")
        );
    })
    .await;
}
