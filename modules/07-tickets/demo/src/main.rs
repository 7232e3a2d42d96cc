//! Module 07's demo: the booking flow and its live page, over the naive, the
//! exercise's or the solution's code, on a fresh PostgreSQL schema and a
//! fresh Redis prefix.
//!
//! `cargo xtask demo 07` serves the page on `--addr` (open it as
//! `/?user=ann` and `/?user=bob` in two windows). `--load 500` has 500
//! simulated users queue for 50 tickets, check out (or not, and let the
//! reservation lapse), try again when they lose, and prints sold, expired,
//! double-sold and the wait distribution; the page can watch it meanwhile.

use clap::{Parser, ValueEnum};
use racecourse_07::demo::{Booking, router};
use racecourse_07::spec as sp;
use racecourse_07::spec::erased as e;
use racecourse_07::{CheckoutError, Clock, MIGRATOR, Outcome, tickets};
use racecourse_kit::services::{Kind, Scratch, find, redis_connect};
use redis::aio::ConnectionManager;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Naive,
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(
    about = "Module 07's demo: ticket booking with a queue, expiring reservations and a live page"
)]
struct Args {
    /// Whose code runs the queue, the worker, the sweeper, checkout and the live updates.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Have this many simulated users queue for the tickets; print the figures; exit.
    #[arg(long)]
    load: Option<usize>,
    /// Tickets on sale (one concert).
    #[arg(long, default_value_t = 50)]
    tickets: usize,
    /// How long a reservation lasts, in ms (default: 15 minutes, 1.5 s under --load).
    #[arg(long)]
    ttl_ms: Option<u64>,
    /// The worker's pause after each request, in ms, so the line visibly moves
    /// (default: 1500, 0 under --load).
    #[arg(long)]
    pace_ms: Option<u64>,
    /// Workers serving the line at once.
    #[arg(long, default_value_t = 4)]
    workers: usize,
    /// Where to serve the page.
    #[arg(long, default_value = "127.0.0.1:3007")]
    addr: String,
}

/// The demo's booking, and its Redis connection and key prefix (to clean up).
async fn booking(
    args: &Args,
    pool: sqlx::PgPool,
) -> anyhow::Result<(Arc<Booking>, ConnectionManager, String)> {
    use racecourse_07::naive as n;
    use racecourse_07_exercises as x;
    use racecourse_07_solutions as s;
    let redis = find(Kind::Redis)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let conn = redis_connect(&redis.url).await?;
    let prefix = format!("rc:demo07:{}:", tickets::owner_token());
    let clock = Clock::system();
    let under_load = args.load.is_some();
    let ttl = ttl(args);
    let pace = Duration::from_millis(args.pace_ms.unwrap_or(if under_load { 0 } else { 1500 }));
    let (q, r, w, c, l) = match args.implementation {
        Impl::Naive => (
            e::ticket_queue::<n::queue::CountThenPush> as sp::queue::MakeQueue,
            e::reserver::<n::worker::ReadThenWrite> as sp::worker::MakeReserver,
            e::sweeper::<n::sweeper::ListThenFree> as sp::sweeper::MakeSweeper,
            e::checkout::<n::checkout::SellTheCart> as sp::checkout::MakeCheckout,
            e::notifier::<n::live::Everyone> as sp::live::MakeNotifier,
        ),
        Impl::Exercise => (
            e::ticket_queue::<x::queue::RedisQueue> as sp::queue::MakeQueue,
            e::reserver::<x::worker::LockingReserver> as sp::worker::MakeReserver,
            e::sweeper::<x::sweeper::PgSweeper> as sp::sweeper::MakeSweeper,
            e::checkout::<x::checkout::PgCheckout> as sp::checkout::MakeCheckout,
            e::notifier::<x::live::Hub> as sp::live::MakeNotifier,
        ),
        Impl::Solution => (
            e::ticket_queue::<s::queue::RedisQueue> as sp::queue::MakeQueue,
            e::reserver::<s::worker::LockingReserver> as sp::worker::MakeReserver,
            e::sweeper::<s::sweeper::PgSweeper> as sp::sweeper::MakeSweeper,
            e::checkout::<s::checkout::PgCheckout> as sp::checkout::MakeCheckout,
            e::notifier::<s::live::Hub> as sp::live::MakeNotifier,
        ),
    };
    let booking = Booking::new(
        pool.clone(),
        q(conn.clone(), &prefix),
        r(pool.clone(), conn.clone(), &prefix, clock.clone(), ttl),
        w(pool.clone(), conn.clone(), &prefix, clock.clone()),
        c(pool, clock.clone()),
        l(64),
        clock,
        pace,
    );
    Ok((booking, conn, prefix))
}

/// Deletes the demo's keys from Redis.
async fn clean_up(mut conn: ConnectionManager, prefix: &str) -> redis::RedisResult<()> {
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}*"))
            .arg("COUNT")
            .arg(500)
            .query_async(&mut conn)
            .await?;
        if !keys.is_empty() {
            let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

/// How long a reservation lasts: `--ttl-ms`, else 15 minutes, 1.5 s under load.
fn ttl(args: &Args) -> Duration {
    let default = if args.load.is_some() {
        1500
    } else {
        15 * 60 * 1000
    };
    Duration::from_millis(args.ttl_ms.unwrap_or(default))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scratch = Scratch::create(&MIGRATOR, "demo")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let result = run(&args, &scratch).await;
    scratch.remove().await;
    result
}

async fn run(args: &Args, scratch: &Scratch) -> anyhow::Result<()> {
    let pool = scratch.pool.clone();
    let (_, ids) =
        tickets::create_concert(&pool, "The Racecourse Orchestra", args.tickets, 4500).await?;
    tickets::create_concert(&pool, "Late Night Jazz", 12, 3000).await?;
    let (booking, conn, prefix) = booking(args, pool).await?;
    let running = booking.start(args.workers);
    let result = serve_or_load(args, booking, &ids).await;
    drop(running);
    if let Err(e) = clean_up(conn, &prefix).await {
        eprintln!("warning: could not delete the demo's keys under {prefix}: {e}");
    }
    result
}

async fn serve_or_load(args: &Args, booking: Arc<Booking>, ids: &[i64]) -> anyhow::Result<()> {
    let app = router(booking.clone()).layer(tower_http::catch_panic::CatchPanicLayer::custom(
        racecourse_kit::problem::panic_as_problem,
    ));
    let who = format!("{:?}", args.implementation).to_lowercase();
    let listener = tokio::net::TcpListener::bind(&args.addr).await;
    let Some(users) = args.load else {
        let listener = listener?;
        println!(
            "serving the {who} booking flow on http://{0}/?user=ann (open http://{0}/?user=bob \
             beside it); Ctrl-C stops and drops the demo's schema",
            args.addr
        );
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        return Ok(());
    };
    match listener {
        Ok(listener) => {
            println!("watch it live: http://{}/?user=user1", args.addr);
            tokio::spawn(async move { axum::serve(listener, app).await });
        }
        Err(e) => println!("(not serving the page: {} is taken: {e})", args.addr),
    }
    load(booking, ids, users, &who, ttl(args)).await
}

/// What one simulated user came to.
#[derive(Default)]
struct Tally {
    waits: Vec<Duration>,
    bought: usize,
    gone: usize,
    refused: usize,
}

async fn load(
    booking: Arc<Booking>,
    ids: &[i64],
    users: usize,
    who: &str,
    ttl: Duration,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let ids: Arc<Vec<i64>> = Arc::new(ids.to_vec());
    let tasks: Vec<_> = (0..users)
        .map(|i| {
            let (booking, ids) = (booking.clone(), ids.clone());
            tokio::spawn(async move { one_user(&booking, &ids, i).await })
        })
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        let t = task.await?;
        tally.waits.extend(t.waits);
        tally.bought += t.bought;
        tally.gone += t.gone;
        tally.refused += t.refused;
    }
    // Let the last unpaid reservations lapse and the sweeper free them.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let pool = &booking.pool;
    let (sold,): (i64,) = sqlx::query_as("SELECT count(*) FROM tickets WHERE status = 'SOLD'")
        .fetch_one(pool)
        .await?;
    let (sold_twice,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM (SELECT ticket_id FROM order_items GROUP BY ticket_id HAVING count(*) > 1) t",
    )
    .fetch_one(pool)
    .await?;
    let reserved_twice = overlapping(&booking, ttl);
    tally.waits.sort_unstable();
    let pct = |p: f64| {
        let w = &tally.waits;
        w.get(((w.len().max(1) - 1) as f64 * p).round() as usize)
            .map_or(0, Duration::as_millis)
    };
    println!(
        "{users} users, {} tickets ({who}), {:.1} s:\n  sold: {sold}\n  double-sold: {sold_twice} \
         tickets in more than one order; {reserved_twice} reserved for two users at once\n  \
         expired: {} reservations freed by the sweeper, {} checkouts too late (410)\n  refused: {} \
         joins answered 409 (ticket not available)\n  wait in line, join to outcome ({} served): \
         p50 {} ms, p90 {} ms, p99 {} ms, max {} ms\n  orders paid by users: {}",
        ids.len(),
        started.elapsed().as_secs_f64(),
        booking.expired.load(Ordering::Relaxed),
        tally.gone,
        tally.refused,
        tally.waits.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0),
        tally.bought,
    );
    Ok(())
}

/// One user: up to three tries at a ticket; with a reservation, checks out
/// after a delay that is past the reservation's end for about a third of them.
async fn one_user(booking: &Booking, ids: &[i64], i: usize) -> Tally {
    let user = format!("user{i}");
    let mut tally = Tally::default();
    for attempt in 0..3 {
        // Ten users in a row want the same ticket: the workers serve them at once.
        let ticket = ids[(i / 10 + attempt * 13) % ids.len()];
        let joined_at = Instant::now();
        let joined = match booking.join(ticket, &user).await {
            Ok(Some(joined)) => joined,
            Ok(None) => {
                tally.refused += 1;
                tokio::time::sleep(Duration::from_millis(300)).await;
                continue;
            }
            Err(e) => {
                eprintln!("{user}: join failed: {e}");
                return tally;
            }
        };
        let served = loop {
            if let Some(served) = booking.served(&joined.queue_id) {
                break served;
            }
            if joined_at.elapsed() > Duration::from_secs(120) {
                return tally;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        tally.waits.push(joined_at.elapsed());
        if let Outcome::Reserved { until_ms } = served.outcome {
            let left = (until_ms - booking.clock.now_ms()).max(0) as u64;
            // 0 to 1.5 times the time left: a third wait too long.
            tokio::time::sleep(Duration::from_millis(
                left * ((i * 37) % 100) as u64 * 3 / 200,
            ))
            .await;
            match booking.checkout.checkout(&user).await {
                Ok(_) => tally.bought += 1,
                // Freed by the sweeper already, or refused at checkout: 410.
                Err(CheckoutError::Expired(_) | CheckoutError::EmptyCart) => tally.gone += 1,
                Err(e) => eprintln!("{user}: checkout: {e}"),
            }
            return tally;
        }
    }
    tally
}

/// Tickets reserved for two users at once: two reservations of one ticket
/// whose spans `[until - ttl, until)` overlap.
fn overlapping(booking: &Booking, ttl: Duration) -> usize {
    let ttl = ttl.as_millis() as i64;
    let mut by_ticket: HashMap<i64, Vec<i64>> = HashMap::new();
    for s in booking.all_served() {
        if let Outcome::Reserved { until_ms } = s.outcome {
            by_ticket.entry(s.ticket).or_default().push(until_ms);
        }
    }
    by_ticket
        .into_values()
        .filter(|untils| {
            let mut untils = untils.clone();
            untils.sort_unstable();
            untils.windows(2).any(|w| w[1] - w[0] < ttl)
        })
        .count()
}
