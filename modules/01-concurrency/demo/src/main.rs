//! `cargo xtask demo 01`: the shop of module 01 with 50 units of one product,
//! on the naive, the exercise's or the solution's code, in memory or on
//! PostgreSQL. With `--load N` it fires N simultaneous orders at itself and
//! prints what the invariant became: "stock 50, orders 63, OVERSOLD 13",
//! then the Prometheus series the run left behind (`GET /metrics` serves
//! them; `racecourse_01_demo::metered` records them).

use clap::{Parser, ValueEnum};
use racecourse_01::demo::{MemShop, PgShop, ProductView};
use racecourse_01::inventory::create_product;
use racecourse_01::naive::{inventory::ReadThenUpdate, versioned::BlindStore};
use racecourse_01_demo::metered::{PoolGauge, router};
use racecourse_01_exercises as exercise;
use racecourse_01_solutions as solution;
use racecourse_kit::load::{self, Call};
use racecourse_kit::metrics;
use racecourse_kit::services::Scratch;
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Impl {
    /// The racy first version.
    Naive,
    /// Your code in exercises/01-concurrency (01.2 in memory, 01.4 on PostgreSQL).
    Exercise,
    /// The reference solution.
    Solution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Store {
    /// In memory: needs no service.
    Mem,
    /// PostgreSQL, in a database of its own that is dropped at the end.
    Pg,
}

#[derive(Debug, Parser)]
#[command(about = "Module 01's shop: watch units being oversold, then watch the fix hold")]
struct Args {
    #[arg(long = "impl", value_enum, default_value = "naive")]
    implementation: Impl,
    #[arg(long, value_enum, default_value = "mem")]
    store: Store,
    /// Fire this many simultaneous orders of one unit, print the outcome, and exit.
    #[arg(long)]
    load: Option<usize>,
    /// Units in stock.
    #[arg(long, default_value_t = 50)]
    stock: i32,
    /// Port to serve on when there is no --load.
    #[arg(long, default_value_t = 3001)]
    port: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // `RUST_LOG=tower_http=debug cargo xtask demo 01` logs every request.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let (router, gauge, product, scratch) = match args.store {
        Store::Mem => {
            let products = [(1, args.stock)];
            let gauge = PoolGauge::new(None);
            let router = match args.implementation {
                Impl::Naive => router(MemShop::<BlindStore>::new(&products), gauge.clone()),
                Impl::Exercise => router(
                    unfinished_is_an_error(|| {
                        MemShop::<exercise::versioned::MemStore>::new(&products)
                    })?,
                    gauge.clone(),
                ),
                Impl::Solution => router(
                    MemShop::<solution::versioned::MemStore>::new(&products),
                    gauge.clone(),
                ),
            };
            (router, gauge, 1, None)
        }
        Store::Pg => {
            let scratch = Scratch::create(&racecourse_01::MIGRATOR, "demo")
                .await
                .map_err(anyhow::Error::msg)?;
            let product = create_product(&scratch.pool, "concert ticket", args.stock).await?;
            let pool = scratch.pool.clone();
            let gauge = PoolGauge::new(Some(pool.clone()));
            let router = match args.implementation {
                Impl::Naive => router(
                    PgShop {
                        inventory: ReadThenUpdate::new(pool.clone()),
                        pool,
                    },
                    gauge.clone(),
                ),
                Impl::Exercise => router(
                    PgShop {
                        inventory: exercise::locking::LockingInventory::new(pool.clone()),
                        pool,
                    },
                    gauge.clone(),
                ),
                Impl::Solution => router(
                    PgShop {
                        inventory: solution::locking::LockingInventory::new(pool.clone()),
                        pool,
                    },
                    gauge.clone(),
                ),
            };
            (router, gauge, product, Some(scratch))
        }
    };
    let outcome = match args.load {
        Some(n) => fire_load(&args, router, &gauge, product, n).await,
        None => serve(&args, router, product).await,
    };
    if let Some(scratch) = scratch {
        scratch.remove().await;
    }
    outcome
}

/// Builds the exercise's shop, turning a `todo!()` hit while building it into
/// an error that says what to do, instead of a panic and a backtrace.
fn unfinished_is_an_error<T>(
    build: impl FnOnce() -> T + std::panic::UnwindSafe,
) -> anyhow::Result<T> {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let built = std::panic::catch_unwind(build);
    std::panic::set_hook(default_hook);
    built.map_err(|payload| {
        anyhow::anyhow!(
            "the exercise code is not ready for the demo yet:\n  {}\nRun `cargo xtask test 01.2` until it passes, then try again.",
            racecourse_kit::spec::panic_message(payload)
        )
    })
}

async fn serve(args: &Args, router: axum::Router, product: i64) -> anyhow::Result<()> {
    let router = router.layer(tower_http::trace::TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let addr = listener.local_addr()?;
    println!(
        "demo 01 on http://{addr} ({:?} code, {:?} store, {} units of product {product})",
        args.implementation, args.store, args.stock
    );
    println!(
        "  curl -s -X POST http://{addr}/products/{product}/orders -H 'content-type: application/json' -d '{{\"buyer\":\"ann\",\"qty\":1}}'"
    );
    println!("  curl -s http://{addr}/products/{product}");
    println!("  curl -s http://{addr}/metrics");
    println!("Ctrl-C stops it.");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn fire_load(
    args: &Args,
    router: axum::Router,
    gauge: &PoolGauge,
    product: i64,
    n: usize,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });

    println!(
        "demo 01: {n} buyers at once, {} units, {:?} code, {:?} store",
        args.stock, args.implementation, args.store
    );
    let calls = (0..n)
        .map(|i| {
            Call::post_json(
                format!("/products/{product}/orders"),
                format!(r#"{{"buyer":"buyer-{i}","qty":1}}"#),
            )
        })
        .collect();
    let report = load::fire(addr, calls).await;
    println!("  {report}");

    let answer = load::send(addr, &Call::get(format!("/products/{product}")))
        .await
        .map_err(anyhow::Error::msg)?;
    let view: ProductView = serde_json::from_str(&answer.body)?;
    let r = view.report;
    let lost = r.units_ordered - i64::from(r.reserved);
    let verdict = if view.oversold > 0 {
        format!("OVERSOLD {}", view.oversold)
    } else if lost != 0 {
        // Fewer buyers than units hide the oversell, not the race: the count
        // of reserved units lost updates, and the next buyers would be sold
        // units that are gone.
        format!(
            "LOST UPDATES: the orders hold {} units, `reserved` says {}: {lost} reservations lost",
            r.units_ordered, r.reserved
        )
    } else if r.orders == i64::from(r.stock).min(n as i64) {
        "oversold 0: every unit sold exactly once".to_string()
    } else {
        format!(
            "oversold 0, but only {} of {} units sold",
            r.units_ordered, r.stock
        )
    };
    println!(
        "  stock {}, orders {}, reserved {}: {verdict}",
        r.stock, r.orders, r.reserved
    );
    if report.count(500) > 0 {
        println!(
            "  {} requests failed with 500: is the {:?} code implemented? Try one with curl to see the error.",
            report.count(500),
            args.implementation
        );
    }
    print_series(gauge);
    Ok(())
}

/// The series the run left behind, as `GET /metrics` serves them: requests
/// by status, orders by outcome, how the buys' latencies fell in the
/// histogram's buckets, and the pool's waiting tasks.
fn print_series(gauge: &PoolGauge) {
    println!("  the Prometheus series (GET /metrics):");
    for line in metrics::samples(&[
        metrics::HTTP_REQUESTS,
        metrics::ORDERS_CREATED,
        "inventory_lock_duration_seconds_bucket{le=\"0.01\"}",
        "inventory_lock_duration_seconds_bucket{le=\"0.1\"}",
        "inventory_lock_duration_seconds_bucket{le=\"1\"}",
        "inventory_lock_duration_seconds_bucket{le=\"+Inf\"}",
        metrics::POOL_WAITING,
    ]) {
        println!("    {line}");
    }
    match gauge.peak() {
        Some(peak) => println!(
            "    ({} peaked at {peak} during the load)",
            metrics::POOL_WAITING
        ),
        None => println!(
            "    (no {}: in memory there is no pool)",
            metrics::POOL_WAITING
        ),
    }
}
