//! Module 05's demo: the shop's `POST /orders` charging through the naive
//! (one call, no timeout, no breaker), the exercise's or the solution's
//! payment client, over a fake gateway that hangs for a few seconds.
//!
//! `cargo xtask demo 05 --load 1000` sends 1000 orders a second for 12
//! seconds; the gateway hangs from second 5 to second 8. It prints, second by
//! second, what the customers got and the breaker's state: with `--impl
//! solution` the breaker opens within a second and orders fail in
//! microseconds until the gateway is back; with `--impl naive` every order
//! in the outage waits, and the waiting pile grows by 1000 a second. Without
//! `--load` it serves on `--addr`.

use clap::{Parser, ValueEnum};
use racecourse_05::demo::{OrderRequest, Shop, Tally, breaker_state};
use racecourse_05::spec::erased::payment_client;
use racecourse_05::{Breaker, BreakerConfig, ClientConfig, FakeGateway, Mode};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Naive,
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(about = "Module 05's demo: a shop's orders over a payment gateway that hangs")]
struct Args {
    /// Whose payment client (and breaker) the shop uses.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Send this many orders a second while the gateway goes down and comes
    /// back; print each second; exit.
    #[arg(long)]
    load: Option<u32>,
    /// How many seconds the load lasts; the gateway hangs through the middle third.
    #[arg(long, default_value_t = 12)]
    seconds: u32,
    /// Where to serve.
    #[arg(long, default_value = "127.0.0.1:3005")]
    addr: String,
}

/// The gateway's latency when it answers.
const LATENCY: Duration = Duration::from_millis(50);

/// The demo's breaker: 5 failures in a row, or half of the last 50 calls,
/// open it for 2 s; then 3 probes.
fn breaker_config() -> BreakerConfig {
    BreakerConfig {
        consecutive_failures: 5,
        failure_rate_percent: 50,
        window: 50,
        minimum_calls: 20,
        slow_call: Some(Duration::from_secs(1)),
        open_wait: Duration::from_secs(2),
        half_open_probes: 3,
    }
}

fn shop(implementation: Impl) -> Arc<Shop> {
    use racecourse_05_exercises as exercise;
    use racecourse_05_solutions as solution;
    let gateway = Arc::new(FakeGateway::new(LATENCY));
    let config = ClientConfig::default();
    let (breaker, client): (Arc<dyn Breaker>, _) = match implementation {
        Impl::Naive => {
            let unused: Arc<dyn Breaker> = Arc::new(
                <racecourse_05::spec::reference::RefBreaker as Breaker>::new(breaker_config()),
            );
            let client = payment_client::<racecourse_05::naive::payments::DirectClient>(
                gateway.clone(),
                unused.clone(),
                config,
            );
            (unused, client)
        }
        Impl::Exercise => {
            let b: Arc<dyn Breaker> = Arc::new(<exercise::breaker::MemBreaker as Breaker>::new(
                breaker_config(),
            ));
            let c = payment_client::<exercise::payments::ResilientClient>(
                gateway.clone(),
                b.clone(),
                config,
            );
            (b, c)
        }
        Impl::Solution => {
            let b: Arc<dyn Breaker> = Arc::new(<solution::breaker::MemBreaker as Breaker>::new(
                breaker_config(),
            ));
            let c = payment_client::<solution::payments::ResilientClient>(
                gateway.clone(),
                b.clone(),
                config,
            );
            (b, c)
        }
    };
    Arc::new(Shop {
        client,
        gateway,
        breaker: (!matches!(implementation, Impl::Naive)).then_some(breaker),
        tally: Tally::default(),
    })
}

fn app(shop: Arc<Shop>) -> axum::Router {
    racecourse_05::demo::router(shop).layer(tower_http::catch_panic::CatchPanicLayer::custom(
        racecourse_kit::problem::panic_as_problem,
    ))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let who = format!("{:?}", args.implementation).to_lowercase();
    let shop = shop(args.implementation);
    if let Some(per_second) = args.load {
        run_load(
            &shop,
            app(shop.clone()),
            per_second.max(1),
            args.seconds.max(3),
            &who,
        )
        .await;
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    println!(
        "serving the {who} payment client on http://{0}; try:\n  curl -i -X POST http://{0}/orders \
         -H 'Content-Type: application/json' -d '{{\"order\":\"o-1\",\"amount\":100}}'\n  curl -i -X PUT \
         http://{0}/gateway -H 'Content-Type: application/json' -d '{{\"mode\":\"hanging\"}}'\n  curl -i \
         http://{0}/status",
        args.addr
    );
    axum::serve(listener, app(shop)).await?;
    Ok(())
}

/// Sends `per_second` orders a second, evenly spread, through the router in
/// this process (no sockets, so a pile of waiting orders costs no file
/// descriptors), for `seconds`; the gateway hangs through the middle third.
async fn run_load(shop: &Arc<Shop>, app: axum::Router, per_second: u32, seconds: u32, who: &str) {
    use tower::ServiceExt;
    let (down, up) = (seconds / 3, 2 * seconds / 3);
    println!(
        "{per_second} orders a second for {seconds} s, {who} payment client; the gateway hangs \
         from second {} to second {up}",
        down + 1
    );
    println!(
        "{:>4}  {:<8} {:>6} {:>7} {:>12} {:>10} {:>10} {:>8} {:>9}  breaker",
        "sec",
        "gateway",
        "sent",
        "served",
        "failed fast",
        "timed out",
        "to gateway",
        "waiting",
        "p99"
    );
    let tally = &shop.tally;
    let mut before = [0u64; 4];
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / per_second);
    for second in 0..seconds {
        let mode = if (down..up).contains(&second) {
            Mode::Hanging
        } else {
            Mode::Up
        };
        shop.gateway.set_mode(mode);
        for n in 0..per_second {
            ticker.tick().await;
            let body = serde_json::to_string(&OrderRequest {
                order: format!("o-{second}-{n}"),
                amount: 100,
            })
            .expect("an order serializes");
            let request = axum::http::Request::post("/orders")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body))
                .expect("a valid request");
            let app = app.clone();
            tokio::spawn(async move { app.oneshot(request).await });
        }
        let now = [
            tally.served.load(Ordering::SeqCst),
            tally.failed_fast.load(Ordering::SeqCst),
            tally.timed_out.load(Ordering::SeqCst),
            shop.gateway.calls(),
        ];
        let latencies = tally.drain_latencies();
        let p99 = latencies
            .get((latencies.len() * 99 / 100).min(latencies.len().saturating_sub(1)))
            .map_or("-".to_string(), |d| {
                format!("{:.1} ms", d.as_secs_f64() * 1000.0)
            });
        println!(
            "{:>4}  {:<8} {:>6} {:>7} {:>12} {:>10} {:>10} {:>8} {:>9}  {}",
            second + 1,
            format!("{mode:?}").to_lowercase(),
            per_second,
            now[0] - before[0],
            now[1] - before[1],
            now[2] - before[2],
            now[3] - before[3],
            tally.waiting.load(Ordering::SeqCst),
            p99,
            breaker_state(shop.breaker.as_ref())
        );
        before = now;
    }
    // The answers still on their way get the longest a charge may take.
    let deadline = tokio::time::Instant::now() + ClientConfig::default().worst_case() * 2;
    while tally.waiting.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = per_second as u64 * seconds as u64;
    let waiting = tally.waiting.load(Ordering::SeqCst);
    println!(
        "{who}: {sent} orders: {} served, {} failed fast, {} timed out, {} still waiting when \
         the load ended ({} calls made to the gateway, {} hanging there now)",
        tally.served.load(Ordering::SeqCst),
        tally.failed_fast.load(Ordering::SeqCst),
        tally.timed_out.load(Ordering::SeqCst),
        waiting,
        shop.gateway.calls(),
        shop.gateway.in_flight()
    );
    println!("{who}: the Prometheus series (GET /metrics):");
    for line in racecourse_kit::metrics::samples(&[
        "http_requests_total",
        "orders_created_total",
        "payment_call_duration_seconds_bucket{le=\"0.1\"}",
        "payment_call_duration_seconds_bucket{le=\"1\"}",
        "payment_call_duration_seconds_bucket{le=\"+Inf\"}",
    ]) {
        println!("  {line}");
    }
    if waiting > 0 {
        println!(
            "PILED UP: {waiting} customers are still waiting for an answer that will not come \
             (no timeout, no breaker)"
        );
    }
}
