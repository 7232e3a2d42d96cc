//! `cargo xtask bench 01`: the hot-row workload of module 01 (one product,
//! many buyers; one book, many raters) through the reference solutions of
//! 01.4 (`SELECT ... FOR UPDATE`), 01.5 (one conditional UPDATE) and 01.6
//! (optimistic, with retries), at 1, 8 and 32 concurrent clients, each for a
//! few seconds, beside pgbench running the same SQL on the same schema.
//!
//! The lesson is in the table: the conditional UPDATE is one round trip and
//! the fastest; FOR UPDATE queues writers behind the row lock; the optimistic
//! strategy's attempts per second climb with the clients while its successes
//! do not (attempts are not work done).

use clap::Parser;
use racecourse_01::inventory::create_product;
use racecourse_01::ratings::create_book;
use racecourse_01::{Inventory, RateError, Ratings};
use racecourse_01_solutions::conditional::ConditionalInventory;
use racecourse_01_solutions::locking::LockingInventory;
use racecourse_01_solutions::ratings::OptimisticRatings;
use racecourse_bench::{Attempt, Point, drive, pgbench, plot, table};
use racecourse_kit::services::{Kind, Scratch, find};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(about = "Module 01's strategies on one hot row, beside pgbench")]
struct Args {
    /// Seconds per point (ours, then pgbench's).
    #[arg(long, default_value_t = 3)]
    seconds: u64,
    /// Concurrent clients, one point each.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8, 32])]
    clients: Vec<usize>,
    /// Also write the plot here (SVG).
    #[arg(long)]
    svg: Option<PathBuf>,
    /// One client for one second per strategy, to show the bench runs
    /// (`cargo xtask verify`).
    #[arg(long)]
    smoke: bool,
}

/// The three strategies: a name, the SQL pgbench runs for it, and our
/// operation on the pool.
#[derive(Clone, Copy)]
enum Strategy {
    ForUpdate,
    Conditional,
    Optimistic,
}

impl Strategy {
    fn name(self) -> &'static str {
        match self {
            Strategy::ForUpdate => "FOR UPDATE (01.4)",
            Strategy::Conditional => "conditional UPDATE (01.5)",
            Strategy::Optimistic => "optimistic (01.6)",
        }
    }

    /// The solution's SQL, in pgbench's script language.
    fn script(self, product: i64, book: i64) -> String {
        match self {
            Strategy::ForUpdate => format!(
                "BEGIN;\nSET LOCAL lock_timeout = '2000ms';\n\
                 SELECT stock, reserved FROM products WHERE id = {product} FOR UPDATE;\n\
                 UPDATE products SET reserved = reserved + 1 WHERE id = {product};\n\
                 INSERT INTO orders (product_id, buyer, qty) VALUES ({product}, 'pgbench', 1) RETURNING id;\n\
                 COMMIT;\n"
            ),
            Strategy::Conditional => format!(
                "WITH reserved AS (UPDATE products SET reserved = reserved + 1 \
                 WHERE id = {product} AND stock - reserved >= 1 RETURNING id) \
                 INSERT INTO orders (product_id, buyer, qty) SELECT id, 'pgbench', 1 FROM reserved RETURNING id;\n"
            ),
            Strategy::Optimistic => format!(
                "SELECT rating_count, rating_sum, version FROM books WHERE id = {book} \\gset\n\
                 UPDATE books SET rating_count = :rating_count + 1, rating_sum = :rating_sum + 4, \
                 version = version + 1 WHERE id = {book} AND version = :version;\n"
            ),
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    if args.smoke {
        (args.seconds, args.clients) = (1, vec![1]);
    }
    let server = find(Kind::Postgres).await?;
    let scratch = Scratch::create(&racecourse_01::MIGRATOR, "bench")
        .await
        .map_err(anyhow::Error::msg)?;
    let outcome = run(&args, &server.url, &scratch.name).await;
    scratch.remove().await;
    let points = outcome?;
    println!("{}", table(&points));
    if points.iter().all(|p| p.pgbench.is_none()) {
        println!(
            "pgbench was not found: its columns are empty (it comes with PostgreSQL's client tools)"
        );
    }
    if let Some(svg) = &args.svg {
        plot(svg, "Module 01: one hot row", &points).map_err(anyhow::Error::msg)?;
        println!("plot written to {}", svg.display());
    }
    Ok(())
}

async fn run(args: &Args, url: &str, schema: &str) -> anyhow::Result<Vec<Point>> {
    let most = args.clients.iter().copied().max().unwrap_or(1) as u32;
    // A connection per client, as pgbench has: the scratch pool's ten would
    // make the pool, not the strategy, the limit at 32 clients.
    let pool = PgPoolOptions::new()
        .max_connections(most)
        .connect_with(PgConnectOptions::from_str(url)?.options([("search_path", schema)]))
        .await?;
    let product = create_product(&pool, "hot", i32::MAX).await?;
    let book = create_book(&pool, "hot").await?;
    let time = Duration::from_secs(args.seconds);
    let mut points = Vec::new();
    for strategy in [
        Strategy::ForUpdate,
        Strategy::Conditional,
        Strategy::Optimistic,
    ] {
        for &clients in &args.clients {
            eprintln!("{} with {clients} clients", strategy.name());
            let ours = drive(clients, time, operation(strategy, &pool, product, book)).await;
            let pgbench = pgbench(url, schema, &strategy.script(product, book), clients, time)
                .map_err(anyhow::Error::msg)?;
            points.push(Point {
                strategy: strategy.name().into(),
                clients,
                ours,
                pgbench,
            });
        }
    }
    pool.close().await;
    Ok(points)
}

/// Our side of `strategy`: the reference solution, one operation per call.
fn operation(
    strategy: Strategy,
    pool: &PgPool,
    product: i64,
    book: i64,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn Future<Output = Attempt> + Send>> + Send + Sync + 'static
{
    let locking = Arc::new(LockingInventory::new(pool.clone()));
    let conditional = Arc::new(ConditionalInventory::new(pool.clone()));
    let ratings = Arc::new(OptimisticRatings::new(pool.clone()));
    move |_| {
        let (locking, conditional, ratings) =
            (locking.clone(), conditional.clone(), ratings.clone());
        Box::pin(async move {
            let once = |ok: bool| Attempt {
                attempts: 1,
                succeeded: ok,
            };
            match strategy {
                Strategy::ForUpdate => once(locking.reserve(product, 1, "bench").await.is_ok()),
                Strategy::Conditional => {
                    once(conditional.reserve(product, 1, "bench").await.is_ok())
                }
                Strategy::Optimistic => match ratings.rate(book, 4).await {
                    Ok(attempts) => Attempt {
                        attempts,
                        succeeded: true,
                    },
                    Err(RateError::Contention { attempts }) => Attempt {
                        attempts,
                        succeeded: false,
                    },
                    Err(_) => once(false),
                },
            }
        })
    }
}
