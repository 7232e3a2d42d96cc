//! Module 06's demo: the shop on a fresh PostgreSQL schema, over the naive
//! code, the exercise's or the solution's.
//!
//! `cargo xtask demo 06 --impl naive --load 1000` fires 1000 checkouts at
//! once for 500 units (one buyer in five over the card limit, declined;
//! module 05's gateway losing every fifth new charge's reply) and 1000 debits of 10 from 5000 at once, then queues 1000
//! emails for 4 workers that crash now and then, and prints the figures:
//! oversold, orphan reservations, double charges, overdrawn money, lost and
//! duplicated emails, each 0 for the solution. When RabbitMQ answers, it
//! also posts N orders to the order API (06.5: 202, QUEUED) and lets 2
//! workers process them. Without `--load` it serves on `--port`.

use clap::{Parser, ValueEnum};
use racecourse_05::gateway::FakeGateway;
use racecourse_06::checkout::add_product;
use racecourse_06::demo::{Shop, deliver_emails, router, shop_figures};
use racecourse_06::intake::Processor;
use racecourse_06::queue::QueueConfig;
use racecourse_06::spec::erased::{self as e, DynIntake, DynQueue};
use racecourse_06::wallet::open_account;
use racecourse_kit::load::{self, Call};
use racecourse_kit::services::Scratch;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Naive,
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(about = "Module 06's demo: a shop's checkout, wallet and email queue")]
struct Args {
    /// Whose code runs the shop.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Fire this many checkouts and debits at once, deliver this many emails,
    /// print the figures, exit.
    #[arg(long)]
    load: Option<usize>,
    /// Port to serve on when there is no --load.
    #[arg(long, default_value_t = 3006)]
    port: u16,
}

const PRODUCT: i64 = 1;
const ACCOUNT: i64 = 1;
/// One unit is within the gateway's card limit; the declined buyers' two
/// units are over it.
const PRICE: i64 = 600;
const DECLINED_QTY: usize = 2;
/// The gateway loses the reply of every this many new charges.
const LOSE_EVERY: u32 = 5;
const GATEWAY_LATENCY: Duration = Duration::from_millis(2);
const QUEUE: QueueConfig = QueueConfig {
    lease: Duration::from_millis(500),
    backoff: Duration::from_millis(20),
    max_attempts: 3,
};

/// RabbitMQ, when it answers: a channel and a queue of the demo's own.
struct Broker {
    connection: lapin::Connection,
    channel: lapin::Channel,
    queue: String,
}

async fn broker() -> Option<Broker> {
    use lapin::options::QueueDeclareOptions;
    let connection = match racecourse_06::amqp::connect().await {
        Ok(connection) => connection,
        Err(e) => {
            println!("(no order API: {})", e.lines().next().unwrap_or_default());
            return None;
        }
    };
    let channel = connection.create_channel().await.ok()?;
    // Not exclusive: the workers consume on connections of their own. The
    // demo deletes it when it ends.
    let queue = format!("racecourse.demo.{}", std::process::id());
    channel
        .queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions::default(),
            lapin::types::FieldTable::default(),
        )
        .await
        .ok()?;
    Some(Broker {
        connection,
        channel,
        queue,
    })
}

fn intake(implementation: Impl, pool: &sqlx::PgPool, broker: &Broker) -> Arc<dyn DynIntake> {
    use racecourse_06::naive;
    use racecourse_06_exercises as x;
    use racecourse_06_solutions as s;
    let (p, c, q) = (pool.clone(), broker.channel.clone(), broker.queue.clone());
    match implementation {
        Impl::Naive => e::intake::<naive::intake::ProcessInRequest>(p, c, q),
        Impl::Exercise => e::intake::<x::intake::QueuedIntake>(p, c, q),
        Impl::Solution => e::intake::<s::intake::QueuedIntake>(p, c, q),
    }
}

fn shop(
    implementation: Impl,
    pool: &sqlx::PgPool,
    gateway: Arc<FakeGateway>,
) -> (Shop, Arc<dyn DynQueue>) {
    use racecourse_05::naive::payments::DirectClient;
    use racecourse_05::spec::erased::payment_client;
    use racecourse_06::naive;
    use racecourse_06::spec::checkout::payments;
    use racecourse_06_exercises as x;
    use racecourse_06_solutions as s;
    let p = pool.clone();
    // Each side's checkout pays through that side's 05.4 client; the naive
    // one calls the gateway once and waits.
    let (checkout, wallet, queue) = match implementation {
        Impl::Naive => (
            e::checkout::<naive::checkout::OneBigTransaction>(
                p.clone(),
                payments(payment_client::<DirectClient>, gateway),
            ),
            e::wallet::<naive::wallet::ReadThenWrite>(p.clone()),
            e::queue::<naive::queue::SelectThenMark>(p.clone(), QUEUE),
        ),
        Impl::Exercise => (
            e::checkout::<x::checkout::PgCheckout>(
                p.clone(),
                payments(
                    payment_client::<racecourse_05_exercises::payments::ResilientClient>,
                    gateway,
                ),
            ),
            e::wallet::<x::wallet::PgWallet>(p.clone()),
            e::queue::<x::queue::PgQueue>(p.clone(), QUEUE),
        ),
        Impl::Solution => (
            e::checkout::<s::checkout::PgCheckout>(
                p.clone(),
                payments(
                    payment_client::<racecourse_05_solutions::payments::ResilientClient>,
                    gateway,
                ),
            ),
            e::wallet::<s::wallet::PgWallet>(p.clone()),
            e::queue::<s::queue::PgQueue>(p.clone(), QUEUE),
        ),
    };
    let shop = Shop {
        pool: p,
        checkout,
        wallet,
        intake: None,
    };
    (shop, queue)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scratch = Scratch::create(&racecourse_06::MIGRATOR, "demo")
        .await
        .map_err(anyhow::Error::msg)?;
    let pool = scratch.pool.clone();
    let n = args.load.unwrap_or(100);
    add_product(&pool, PRODUCT, (n / 2) as i32, PRICE).await?;
    open_account(&pool, ACCOUNT, 10 * (n / 2) as i64).await?;
    let gateway = Arc::new(FakeGateway::new(GATEWAY_LATENCY));
    gateway.lose_every(LOSE_EVERY);
    let (mut shop, queue) = shop(args.implementation, &pool, gateway.clone());
    let broker = broker().await;
    shop.intake = broker
        .as_ref()
        .map(|b| intake(args.implementation, &pool, b));
    let orders = shop.intake.clone();
    let app = router(shop).layer(tower_http::catch_panic::CatchPanicLayer::custom(
        racecourse_kit::problem::panic_as_problem,
    ));
    let outcome = match args.load {
        Some(n) => fire_load(args.implementation, app, &pool, &gateway, queue, orders, n).await,
        None => serve(args.port, app, n).await,
    };
    if let Some(broker) = broker {
        let delete = lapin::options::QueueDeleteOptions::default();
        let _ = broker
            .channel
            .queue_delete(broker.queue.as_str().into(), delete)
            .await;
        let _ = broker.connection.close(200, "done".into()).await;
    }
    scratch.remove().await;
    outcome
}

async fn serve(port: u16, app: axum::Router, n: usize) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "serving the shop on http://127.0.0.1:{port}: product {PRODUCT} has {} units, wallet \
         {ACCOUNT} holds {}. Try:\n  curl -i -X POST http://127.0.0.1:{port}/checkout \
         -H 'Content-Type: application/json' -d '{{\"product\":1,\"buyer\":\"ann\",\"qty\":1}}'",
        n / 2,
        10 * (n / 2)
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn fire_load(
    implementation: Impl,
    app: axum::Router,
    pool: &sqlx::PgPool,
    gateway: &FakeGateway,
    queue: Arc<dyn DynQueue>,
    orders: Option<Arc<dyn DynIntake>>,
    n: usize,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let who = format!("{implementation:?}").to_lowercase();
    println!(
        "the shop, {who} code: {n} checkouts for {} units, {n} debits of 10 from {}, {n} emails",
        n / 2,
        10 * (n / 2)
    );
    let checkouts = (0..n)
        .map(|i| {
            let qty = if i % 5 == 0 { DECLINED_QTY } else { 1 };
            Call::post_json(
                "/checkout",
                format!(r#"{{"product":{PRODUCT},"buyer":"buyer-{i}","qty":{qty}}}"#),
            )
        })
        .collect();
    println!("  checkouts: {}", load::fire(addr, checkouts).await);
    let debits = (0..n)
        .map(|_| Call::post_json(format!("/wallets/{ACCOUNT}/debits"), r#"{"amount":10}"#))
        .collect();
    println!("  debits:    {}", load::fire(addr, debits).await);
    let mut figures = shop_figures(pool, gateway, PRODUCT, ACCOUNT).await?;
    match deliver_emails(pool, queue, n, Duration::from_secs(30)).await {
        Ok((lost, duplicated)) => {
            figures.emails_lost = lost;
            figures.emails_duplicated = duplicated;
        }
        Err(e) => println!("  emails: {e}"),
    }
    if let Some(intake) = orders {
        let calls = (0..n)
            .map(|i| Call::post_json("/orders", format!(r#"{{"item":"book-{i}","qty":1}}"#)))
            .collect();
        println!("  orders:    {}", load::fire(addr, calls).await);
        println!("  {}", process_orders(intake, pool, n).await);
    }
    print!("{figures}");
    Ok(())
}

/// Lets 2 workers process the queued orders; says how many reached DONE.
async fn process_orders(intake: Arc<dyn DynIntake>, pool: &sqlx::PgPool, n: usize) -> String {
    let (_gate, open) = tokio::sync::watch::channel(true);
    let started = std::time::Instant::now();
    let mut workers = Vec::new();
    for _ in 0..2 {
        let processor = Arc::new(Processor::new(
            pool.clone(),
            Duration::from_millis(2),
            open.clone(),
        ));
        let Ok(channel) = racecourse_06::amqp::connect().await else {
            return "orders: RabbitMQ went away".into();
        };
        let intake = intake.clone();
        workers.push(tokio::spawn(async move {
            let channel = channel.create_channel().await?;
            intake
                .work(channel, processor)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
        }));
    }
    let mut done = 0;
    while started.elapsed() < Duration::from_secs(30) {
        done = racecourse_06::intake::intake_counts(pool)
            .await
            .map_or(0, |(_, d)| d);
        if done as usize >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for worker in workers {
        worker.abort();
    }
    format!(
        "orders processed by 2 workers (prefetch {}): {done} of {n} DONE in {:.1?}",
        racecourse_06::intake::PREFETCH,
        started.elapsed()
    )
}
