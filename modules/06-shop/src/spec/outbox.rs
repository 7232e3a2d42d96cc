//! Spec of 06.6, on a real PostgreSQL (a schema per test) and a real
//! RabbitMQ (queues of its own per test). The relay is killed without its
//! help: a trigger fails its "published" mark once, after the broker has
//! the events; a channel closed under it fails its publishing. The queue
//! holds at most 20 messages and refuses more (`x-overflow:
//! reject-publish`), which the broker reports as a nack to a relay that
//! asks for confirms, and to nobody else.

use super::erased::DynOutbox;
use super::{OrFail, crash_once, crash_once_on_insert, together};
use crate::MIGRATOR;
use crate::amqp::{AmqpSlot, with_amqp};
use crate::outbox::sales_stats;
use lapin::types::{AMQPValue, FieldTable};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Makes the outbox on a pool and a queue.
pub type MakeOutbox = fn(PgPool, String) -> Arc<dyn DynOutbox>;

const ORDERS: usize = 100;
const BATCH: i64 = 10;
/// The most messages the queue holds; it refuses more.
const QUEUE_LENGTH: i32 = 20;
/// Relaying or applying that made no progress for this long has stopped.
const STALL: Duration = Duration::from_secs(5);

/// The checks of 06.6.
pub fn checks(make: MakeOutbox) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "an_order_and_its_event_commit_together",
            threads,
            an_order_and_its_event_commit_together(make),
        ),
        Check::new(
            "a_killed_relay_loses_and_repeats_nothing",
            threads,
            a_killed_relay_loses_and_repeats_nothing(make),
        ),
    ]
}

async fn with_outbox<F, Fut>(make: MakeOutbox, body: F)
where
    F: FnOnce(Arc<dyn DynOutbox>, PgPool, AmqpSlot) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        with_amqp(move |amqp| async move {
            let mut arguments = FieldTable::default();
            arguments.insert("x-max-length".into(), AMQPValue::LongInt(QUEUE_LENGTH));
            arguments.insert(
                "x-overflow".into(),
                AMQPValue::LongString("reject-publish".into()),
            );
            let queue = amqp.queue_with("events", arguments).await;
            body(make(pool.clone(), queue), pool, amqp).await;
        })
        .await;
    })
    .await;
}

/// Orders, events, and events not yet published.
async fn counts(pool: &PgPool) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM outbox_orders), (SELECT count(*) FROM outbox),
                (SELECT count(*) FROM outbox WHERE published_at IS NULL)",
    )
    .fetch_one(pool)
    .await
    .or_fail(|| t!("spec-06-step-counting-orders-and-events"))
}

/// A failure of the event's insert (injected) leaves no order either; the
/// same order again gets both.
pub async fn an_order_and_its_event_commit_together(make: MakeOutbox) {
    with_outbox(make, |outbox, pool, _amqp| async move {
        crash_once_on_insert(&pool, "crash_event", "outbox", "true").await;
        let crashed = outbox.place_order("book", 2).await;
        assert!(
            crashed.is_err(),
            "{}",
            t!("spec-06-6-order-must-fail", got = format!("{crashed:?}"))
        );
        let (orders, events, _) = counts(&pool).await;
        assert_eq!(
            (orders, events),
            (0, 0),
            "{}",
            t!("spec-06-6-together", orders = orders, events = events)
        );
        let order = outbox
            .place_order("book", 2)
            .await
            .or_fail(|| t!("spec-06-step-placing-an-order"));
        let event: (i64, i32) = sqlx::query_as("SELECT order_id, qty FROM outbox")
            .fetch_one(&pool)
            .await
            .or_fail(|| t!("spec-06-step-reading-the-event"));
        assert_eq!(event, (order, 2), "{}", t!("spec-06-6-event-names"));
    })
    .await;
}

/// Runs relay rounds on `channel` until a round marks nothing (the queue is
/// full) or nothing is left; fails on a round's error.
async fn relay_until_stuck(outbox: &dyn DynOutbox, channel: &lapin::Channel, pool: &PgPool) {
    loop {
        let marked = outbox
            .relay_once(channel, BATCH)
            .await
            .unwrap_or_else(|e| panic!("{}", t!("spec-06-6-round-failed", error = e.to_string())));
        if marked == 0 || counts(pool).await.2 == 0 {
            return;
        }
    }
}

/// 100 orders at once. The relay is killed twice: after the broker
/// confirmed a batch and before the batch was marked, and by a channel
/// closed under it. Restarted, it fills the queue, then relays the rest as
/// the consumer drains it. Every event is applied exactly once.
pub async fn a_killed_relay_loses_and_repeats_nothing(make: MakeOutbox) {
    with_outbox(make, |outbox, pool, amqp| async move {
        let placed = together(ORDERS, |i| {
            let outbox = outbox.clone();
            async move {
                outbox
                    .place_order(&format!("book-{i}"), (i % 3 + 1) as i32)
                    .await
            }
        })
        .await;
        let units: i64 = (0..ORDERS).map(|i| (i % 3 + 1) as i64).sum();
        for p in &placed {
            assert!(
                p.is_ok(),
                "{}",
                t!("spec-06-6-placing-failed", got = format!("{p:?}"))
            );
        }
        crash_once(
            &pool,
            "crash_mark",
            "UPDATE OF published_at ON outbox",
            "NEW.published_at IS NOT NULL",
        )
        .await;
        let first = amqp.channel().await;
        let killed = outbox.relay_once(&first, BATCH).await;
        assert!(
            killed.is_err(),
            "{}",
            t!("spec-06-6-mark-failed", got = format!("{killed:?}"))
        );
        let _ = first.close(200, "the relay died".into()).await;
        let closed = amqp.channel().await;
        let _ = closed.close(200, "closed under the relay".into()).await;
        let dead = outbox.relay_once(&closed, BATCH).await;
        assert!(
            dead.is_err(),
            "{}",
            t!("spec-06-6-closed-channel", got = format!("{dead:?}"))
        );
        let (_, _, unpublished) = counts(&pool).await;
        assert_eq!(
            unpublished,
            ORDERS as i64,
            "{}",
            t!(
                "spec-06-6-still-unpublished",
                orders = ORDERS,
                unpublished = unpublished
            )
        );
        let relay = amqp.channel().await;
        relay_until_stuck(&*outbox, &relay, &pool).await;
        let consumer_channel = amqp.channel().await;
        let consumer = {
            let (outbox, channel) = (outbox.clone(), consumer_channel.clone());
            tokio::spawn(async move { outbox.consume(channel).await })
        };
        let (mut last, mut since) = ((-1, -1), Instant::now());
        loop {
            relay_until_stuck(&*outbox, &relay, &pool).await;
            let (orders, applied) = sales_stats(&pool)
                .await
                .or_fail(|| t!("spec-06-step-reading-the-figures"));
            let (_, _, unpublished) = counts(&pool).await;
            if unpublished == 0 && orders >= ORDERS as i64 {
                break;
            }
            if (unpublished, orders) != last {
                (last, since) = ((unpublished, orders), Instant::now());
            }
            assert!(
                since.elapsed() < STALL,
                "{}",
                t!(
                    "spec-06-6-no-progress",
                    stall = format!("{STALL:?}"),
                    unpublished = unpublished,
                    orders = orders,
                    total = ORDERS,
                    applied = applied
                )
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (orders, applied) = sales_stats(&pool)
            .await
            .or_fail(|| t!("spec-06-step-reading-the-figures"));
        assert_eq!(
            (orders, applied),
            (ORDERS as i64, units),
            "{}",
            t!(
                "spec-06-6-applied-once",
                orders = orders,
                applied = applied,
                total = ORDERS,
                units = units
            )
        );
        let _ = consumer_channel.close(200, "done".into()).await;
        let _ = relay.close(200, "done".into()).await;
        consumer.abort();
    })
    .await;
}
