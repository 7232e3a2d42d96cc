//! Module 04's demo.
//!
//! `cargo xtask demo 04 --impl solution --load 300` sends 300 requests from
//! three clients (a signed-in user and two anonymous clients that write a new
//! `X-Forwarded-For` on every request) to a small API behind the rate-limit
//! layer, and prints what each got and the headers of one refusal. `--impl
//! naive` has no layer at all; `--wrong leftmost-forwarded-for` (or
//! `forwarded-for-from-anyone`) puts one of the gallery's wrong layers in
//! front: the spoofers get through, the signed-in user does not.
//!
//! `--stampede 100` sends 100 identical searches at once to a cold catalog
//! cache (PostgreSQL and Redis) and prints how many reached the database.
//! `--edge` sends the same bursts across a window's edge to the fixed window
//! (the naive one) and to `--impl`'s sliding window. `cargo xtask bench 04`
//! (`src/bin/bench.rs`) measures the token bucket and the LRU cache.
//!
//! Without any of these it serves on `--addr`.

use clap::{Parser, ValueEnum};
use racecourse_04::demo::{self, MakeCatalog, MakeWindow};
use racecourse_04::spec::erased::{catalog_cache, window_limiter};
use racecourse_04::{LimitConfig, naive};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Naive,
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(about = "Module 04's demo: a rate-limited API, a cache stampede, a window's edge")]
struct Args {
    /// Whose code runs.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Send this many requests from three clients, print the outcome.
    #[arg(long)]
    load: Option<usize>,
    /// Put this wrong layer of the gallery in front instead of `--impl`'s:
    /// leftmost-forwarded-for or forwarded-for-from-anyone.
    #[arg(long)]
    wrong: Option<String>,
    /// Send this many identical searches at once to a cold cache, print the
    /// database queries they made.
    #[arg(long)]
    stampede: Option<usize>,
    /// Send bursts across a window's edge to the fixed window and to the
    /// sliding window, print how many got through.
    #[arg(long)]
    edge: bool,
    /// Where to serve.
    #[arg(long, default_value = "127.0.0.1:3004")]
    addr: String,
}

type Wrap = fn(axum::Router, Arc<LimitConfig>) -> axum::Router;

fn layer(implementation: Impl, wrong: Option<&str>) -> anyhow::Result<Wrap> {
    use racecourse_04::wrong::layer as w;
    Ok(match (wrong, implementation) {
        (Some("leftmost-forwarded-for"), _) => w::leftmost_forwarded_for,
        (Some("forwarded-for-from-anyone"), _) => w::forwarded_for_from_anyone,
        (Some(other), _) => anyhow::bail!(
            "the demo has no wrong layer `{other}`: leftmost-forwarded-for or forwarded-for-from-anyone"
        ),
        (None, Impl::Naive) => naive::layer::no_layer,
        (None, Impl::Exercise) => {
            |r, c| r.layer(racecourse_04_exercises::layer::RateLimitLayer::new(c))
        }
        (None, Impl::Solution) => {
            |r, c| r.layer(racecourse_04_solutions::layer::RateLimitLayer::new(c))
        }
    })
}

fn app(wrap: Wrap, trusted: Vec<std::net::IpAddr>) -> axum::Router {
    let config = demo::config(trusted);
    demo::router(|routes| wrap(routes, config)).layer(
        tower_http::catch_panic::CatchPanicLayer::custom(racecourse_kit::problem::panic_as_problem),
    )
}

fn catalog(implementation: Impl) -> MakeCatalog {
    match implementation {
        Impl::Naive => catalog_cache::<naive::catalog::TtlOnly>,
        Impl::Exercise => catalog_cache::<racecourse_04_exercises::catalog::Catalog>,
        Impl::Solution => catalog_cache::<racecourse_04_solutions::catalog::Catalog>,
    }
}

fn sliding(implementation: Impl) -> MakeWindow {
    match implementation {
        Impl::Naive => window_limiter::<naive::window::FixedWindow>,
        Impl::Exercise => window_limiter::<racecourse_04_exercises::window::SlidingWindow>,
        Impl::Solution => window_limiter::<racecourse_04_solutions::window::SlidingWindow>,
    }
}

async fn load(who: Impl, wrong: Option<&str>, n: usize) -> anyhow::Result<()> {
    let proxy = demo::PROXY.parse()?;
    let report = demo::load(app(layer(who, wrong)?, vec![proxy]), n).await;
    let name = wrong.map_or(format!("{who:?}"), str::to_string);
    println!("{n} requests to GET /items, quota 50 a minute per client ({name} layer):");
    for (client, allowed, refused, other) in &report.per_client {
        let other = if *other > 0 {
            format!(" {other:>4} other (a 500: a panic?)")
        } else {
            String::new()
        };
        println!(
            "  {:<38} {allowed:>4} allowed {refused:>4} refused{other}",
            client.describe()
        );
    }
    match &report.refused_example {
        Some((status, headers)) => {
            println!("one refused answer: {status}");
            for (name, value) in headers {
                println!("  {name}: {value}");
            }
        }
        None => println!("no request was refused"),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let who = args.implementation;
    let wrong = args.wrong.as_deref();
    if let Some(n) = args.load {
        load(who, wrong, n).await?;
    }
    if let Some(n) = args.stampede {
        let queries = demo::stampede(catalog(who), n)
            .await
            .map_err(anyhow::Error::msg)?;
        let verdict = if queries > 1 {
            "  <- the stampede"
        } else {
            " (single-flight)"
        };
        println!(
            "{n} identical searches at once on a cold cache ({who:?}): {queries} database queries{verdict}"
        );
    }
    if args.edge {
        let [fixed, slid] =
            demo::edge(window_limiter::<naive::window::FixedWindow>, sliding(who)).await;
        println!("5 per second; 8 requests at 950 ms, 8 more at 1050 ms:");
        println!(
            "  fixed window:           {} + {} allowed = {} in 100 ms",
            fixed.0,
            fixed.1,
            fixed.0 + fixed.1
        );
        println!(
            "  sliding window ({who:?}): {} + {} allowed = {} in 100 ms",
            slid.0,
            slid.1,
            slid.0 + slid.1
        );
    }
    if args.load.is_some() || args.stampede.is_some() || args.edge {
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&args.addr).await?;
    println!(
        "serving the {who:?} layer on http://{0} (no trusted proxy); try: curl -i http://{0}/items -H 'X-Forwarded-For: 192.0.2.1'",
        args.addr
    );
    let app = app(layer(who, wrong)?, Vec::new());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
