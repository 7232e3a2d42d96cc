//! Module 02's demo: `POST /charges` behind the naive (no), the exercise's or
//! the solution's `Idempotency-Key` layer.
//!
//! `cargo xtask demo 02 --impl naive --load 50` sends a payment and 49
//! retries of it, one after another, and prints "charged 50 times";
//! `--impl solution` prints "charged once, 49 replays". `--burst 20` sends
//! 20 at once instead. Without either it serves on `--addr`.

use axum::Router;
use clap::{Parser, ValueEnum};
use racecourse_02::IdempotencyStore;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Naive,
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(about = "Module 02's demo: a payment route behind an Idempotency-Key layer")]
struct Args {
    /// Whose layer (and store) guards the route.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Send a payment and this many minus one retries of it, one after another; print; exit.
    #[arg(long, conflicts_with = "burst")]
    load: Option<usize>,
    /// Send this many identical payments at once; print; exit.
    #[arg(long)]
    burst: Option<usize>,
    /// Where to serve.
    #[arg(long, default_value = "127.0.0.1:3002")]
    addr: String,
}

const RETENTION: Duration = Duration::from_secs(24 * 3600);
const LEASE: Duration = Duration::from_secs(30);

fn app(implementation: Impl) -> Router {
    use racecourse_02_exercises as exercise;
    use racecourse_02_solutions as solution;
    let router = match implementation {
        Impl::Naive => racecourse_02::demo::router(racecourse_02::naive::layer::no_layer),
        Impl::Exercise => racecourse_02::demo::router(|routes| {
            let store = Arc::new(exercise::store::MemStore::new(RETENTION, LEASE));
            routes.layer(exercise::layer::IdempotencyLayer::new(store))
        }),
        Impl::Solution => racecourse_02::demo::router(|routes| {
            let store = Arc::new(solution::store::MemStore::new(RETENTION, LEASE));
            routes.layer(solution::layer::IdempotencyLayer::new(store))
        }),
    };
    router.layer(tower_http::catch_panic::CatchPanicLayer::custom(
        racecourse_kit::problem::panic_as_problem,
    ))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let app = app(args.implementation);
    let who = format!("{:?}", args.implementation).to_lowercase();
    if let Some(n) = args.load {
        let tally = racecourse_02::demo::retries(app, n).await;
        println!(
            "a payment and {} retries, one key ({who}): {}",
            n.saturating_sub(1),
            tally.summary()
        );
        return Ok(());
    }
    if let Some(n) = args.burst {
        let tally = racecourse_02::demo::burst(app, n).await;
        println!(
            "{n} identical payments at once, one key ({who}): {}",
            tally.summary()
        );
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    println!(
        "serving the {who} layer on http://{0}; try: curl -i -X POST http://{0}/charges \
         -H 'x-user: ann' -H 'Idempotency-Key: k1' -H 'Content-Type: application/json' \
         -d '{{\"amount\":10}}'",
        args.addr
    );
    axum::serve(listener, app).await?;
    Ok(())
}
