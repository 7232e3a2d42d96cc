//! Module 02's demo: `POST /charges` behind an idempotency store, on the naive,
//! the exercise's or the solution's code.
//!
//! `cargo xtask demo 02 --impl naive --burst 20` sends 20 identical charges with
//! one key at once and prints how many were charged: several with the naive
//! store, one with the solution. Without `--burst` it serves on `--addr`.
//!
//! It is small for now, one route over exercise 02.1's store; 02.2 puts the
//! key handling in a tower layer and 02.4 the charge on PostgreSQL.

use clap::{Parser, ValueEnum};
use racecourse_02::spec::erased::{DynIdempotencyStore, idempotency_store};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Naive,
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(about = "Module 02's demo: a payment route behind an idempotency store")]
struct Args {
    /// Whose store serves the route.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Send this many identical charges with one key at once, print the result, exit.
    #[arg(long)]
    burst: Option<usize>,
    /// Where to serve.
    #[arg(long, default_value = "127.0.0.1:3002")]
    addr: String,
}

const RETENTION: Duration = Duration::from_secs(24 * 3600);
const LEASE: Duration = Duration::from_secs(30);

fn store(implementation: Impl) -> Arc<dyn DynIdempotencyStore> {
    match implementation {
        Impl::Naive => {
            idempotency_store::<racecourse_02::naive::store::NoClaimStore>(RETENTION, LEASE)
        }
        Impl::Exercise => {
            idempotency_store::<racecourse_02_exercises::store::MemStore>(RETENTION, LEASE)
        }
        Impl::Solution => {
            idempotency_store::<racecourse_02_solutions::store::MemStore>(RETENTION, LEASE)
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let app = racecourse_02::demo::router(store(args.implementation)).layer(
        tower_http::catch_panic::CatchPanicLayer::custom(racecourse_kit::problem::panic_as_problem),
    );
    if let Some(n) = args.burst {
        let (statuses, charges) = racecourse_02::demo::burst(app, n).await;
        let count = |s: u16| statuses.iter().filter(|x| **x == s).count();
        println!(
            "{n} identical requests, one key ({:?} store): {} created, {} in flight (409), {} other",
            args.implementation,
            count(201),
            count(409),
            n - count(201) - count(409)
        );
        println!(
            "charges made: {charges} (right: 1){}",
            if charges > 1 {
                "  <- double charged"
            } else {
                ""
            }
        );
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    println!(
        "serving {:?} store on http://{}; try: curl -i -X POST http://{}/charges -H 'Idempotency-Key: k1' -H 'Content-Type: application/json' -d '{{\"amount\":10}}'",
        args.implementation, args.addr, args.addr
    );
    axum::serve(listener, app).await?;
    Ok(())
}
