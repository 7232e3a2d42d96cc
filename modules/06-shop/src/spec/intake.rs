//! Spec of 06.5, on a real PostgreSQL (a schema per test) and a real
//! RabbitMQ (queues of its own per test). The processor the workers hand
//! orders to is held shut by a gate until the spec opens it, so "accepted
//! before processed" is proved, not timed; and it can crash, losing the work
//! in its hands, as a dying worker would.

use super::erased::DynIntake;
use super::{OrFail, together};
use crate::MIGRATOR;
use crate::amqp::{AmqpSlot, with_amqp};
use crate::intake::{IntakeError, PREFETCH, Processor, intake_counts};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Makes the intake on a pool, a channel to publish on, and a queue.
pub type MakeIntake = fn(PgPool, lapin::Channel, String) -> Arc<dyn DynIntake>;

const ORDERS: usize = 1000;
const WORKERS: usize = 2;
const WORK_TIME: Duration = Duration::from_millis(1);
const ACCEPT_LIMIT: Duration = Duration::from_secs(20);
/// Processing that made no progress for this long has stopped for good.
const STALL: Duration = Duration::from_secs(5);

/// The checks of 06.5.
pub fn checks(make: MakeIntake) -> Vec<Check> {
    let threads = Runtime::Threads;
    vec![
        Check::new(
            "a_thousand_orders_accepted_then_processed",
            threads,
            a_thousand_orders_accepted_then_processed(make),
        ),
        Check::new(
            "a_crashed_worker_loses_no_order",
            threads,
            a_crashed_worker_loses_no_order(make),
        ),
    ]
}

struct Bench {
    intake: Arc<dyn DynIntake>,
    pool: PgPool,
    amqp: AmqpSlot,
    gate: watch::Sender<bool>,
}

impl Bench {
    /// A worker on a channel of its own, with a processor of its own.
    async fn worker(
        &self,
    ) -> (
        Arc<Processor>,
        lapin::Channel,
        tokio::task::JoinHandle<Result<(), IntakeError>>,
    ) {
        let processor = Arc::new(Processor::new(
            self.pool.clone(),
            WORK_TIME,
            self.gate.subscribe(),
        ));
        let channel = self.amqp.channel().await;
        let (intake, p, c) = (self.intake.clone(), processor.clone(), channel.clone());
        let task = tokio::spawn(async move { intake.work(c, p).await });
        (processor, channel, task)
    }

    /// Waits until every order is DONE, or fails saying how many are not
    /// once no order was done for [`STALL`].
    async fn drained(&self, orders: i64) {
        let (mut last, mut since) = (-1, Instant::now());
        loop {
            let (queued, done) = intake_counts(&self.pool)
                .await
                .or_fail(|| t!("spec-06-step-counting-the-orders"));
            if done == orders {
                return;
            }
            if done != last {
                (last, since) = (done, Instant::now());
            }
            assert!(
                since.elapsed() < STALL,
                "{}",
                t!(
                    "spec-06-5-stalled",
                    queued = queued,
                    orders = orders,
                    stall = format!("{STALL:?}")
                )
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn with_intake<F, Fut>(make: MakeIntake, body: F)
where
    F: FnOnce(Bench) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_pg(&MIGRATOR, move |pool| async move {
        with_amqp(move |amqp| async move {
            let queue = amqp.queue("orders").await;
            let intake = make(pool.clone(), amqp.channel().await, queue);
            let (gate, _) = watch::channel(false);
            body(Bench {
                intake,
                pool,
                amqp,
                gate,
            })
            .await;
        })
        .await;
    })
    .await;
}

/// 1000 orders at once, with processing held shut: every one is answered
/// QUEUED, and still QUEUED. Then 2 workers, the gate open: all reach DONE,
/// never more than 2 x PREFETCH in hand at once.
pub async fn a_thousand_orders_accepted_then_processed(make: MakeIntake) {
    with_intake(make, |bench| async move {
        let intake = bench.intake.clone();
        let accepted = tokio::time::timeout(
            ACCEPT_LIMIT,
            together(ORDERS, move |i| {
                let intake = intake.clone();
                async move { intake.accept(&format!("book-{i}"), 1).await }
            }),
        )
        .await
        .unwrap_or_else(|_| {
            panic!(
                "{}",
                t!(
                    "spec-06-5-not-answered",
                    orders = ORDERS,
                    limit = format!("{ACCEPT_LIMIT:?}")
                )
            )
        });
        for answer in &accepted {
            match answer {
                Ok(a) if a.status == "QUEUED" => {}
                other => panic!(
                    "{}",
                    t!("spec-06-5-accepted-queued", got = format!("{other:?}"))
                ),
            }
        }
        let first = accepted[0].as_ref().unwrap().id;
        let status = bench
            .intake
            .status(first)
            .await
            .or_fail(|| t!("spec-06-step-reading-a-status"));
        assert_eq!(
            status.as_deref(),
            Some("QUEUED"),
            "{}",
            t!("spec-06-5-still-queued", first = first)
        );
        let unknown = bench
            .intake
            .status(-1)
            .await
            .or_fail(|| t!("spec-06-step-reading-a-status"));
        assert_eq!(unknown, None, "{}", t!("spec-06-5-unknown-order"));
        let mut workers = Vec::new();
        for _ in 0..WORKERS {
            workers.push(bench.worker().await);
        }
        bench.gate.send_replace(true);
        bench.drained(ORDERS as i64).await;
        let most: usize = workers.iter().map(|(p, _, _)| p.most_in_flight()).sum();
        let bound = WORKERS * usize::from(PREFETCH);
        assert!(
            most <= bound,
            "{}",
            t!(
                "spec-06-5-prefetch",
                workers = WORKERS,
                most = most,
                bound = bound
            )
        );
        let status = bench
            .intake
            .status(first)
            .await
            .or_fail(|| t!("spec-06-step-reading-a-status"));
        assert_eq!(
            status.as_deref(),
            Some("DONE"),
            "{}",
            t!("spec-06-5-after-processing", first = first)
        );
        for (_, channel, task) in workers {
            let _ = channel.close(200, "done".into()).await;
            task.abort();
        }
    })
    .await;
}

/// A worker takes its orders and dies with them in hand (its processor
/// crashes, its channel closes). A second worker then processes every order:
/// none was lost with the first.
pub async fn a_crashed_worker_loses_no_order(make: MakeIntake) {
    with_intake(make, |bench| async move {
        let orders = 50;
        for i in 0..orders {
            bench
                .intake
                .accept(&format!("book-{i}"), 1)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", t!("spec-06-5-accepting-order", i = i)));
        }
        let (doomed, channel, task) = bench.worker().await;
        let started = Instant::now();
        while doomed.in_flight() < usize::from(PREFETCH)
            && started.elapsed() < Duration::from_secs(3)
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        doomed.crash();
        bench.gate.send_replace(true);
        tokio::time::sleep(Duration::from_millis(100)).await;
        task.abort();
        let _ = channel.close(200, "the worker died".into()).await;
        let (_, channel, task) = bench.worker().await;
        bench.drained(orders).await;
        let _ = channel.close(200, "done".into()).await;
        task.abort();
    })
    .await;
}
