//! `cargo xtask demo 03`: polls, likes, the daily reward and coupons on the
//! naive, the exercise's or the solution's code, on PostgreSQL (and Redis for
//! likes, when one answers). With `--load N` it fires N identical votes of one
//! voter at once and N redemptions of a 10-use coupon by N users, and prints
//! what the invariants became: "votes counted for ann: 37, DOUBLE VOTES 36",
//! "redeemed 61 times, OVER-REDEEMED by 51".

use clap::{Parser, ValueEnum};
use racecourse_03::coupon::{coupon_state, create_coupon};
use racecourse_03::demo::{PollView, Services, app};
use racecourse_03::naive;
use racecourse_03::poll::create_poll;
use racecourse_03::reward::{SystemClock, Zone};
use racecourse_03::spec::erased as e;
use racecourse_03_exercises as exercise;
use racecourse_03_solutions as solution;
use racecourse_kit::load::{self, Call};
use racecourse_kit::services::{Kind, Scratch, find, redis_connect};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Impl {
    /// The racy first versions.
    Naive,
    /// Your code in exercises/03-votes.
    Exercise,
    /// The reference solutions.
    Solution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Store {
    /// PostgreSQL, in a schema of its own that is dropped at the end (the
    /// only store: the flag tells `cargo xtask demo` to provide one).
    Pg,
}

#[derive(Debug, Parser)]
#[command(
    about = "Module 03: watch a vote counted twice and a coupon redeemed past its uses, then watch the fix hold"
)]
struct Args {
    #[arg(long = "impl", value_enum, default_value = "naive")]
    implementation: Impl,
    #[arg(long, value_enum, default_value = "pg")]
    store: Store,
    /// Fire this many identical votes and this many coupon redemptions at once, print the outcome, and exit.
    #[arg(long)]
    load: Option<usize>,
    /// How many times the demo's coupon can be redeemed.
    #[arg(long, default_value_t = 10)]
    uses: i32,
    /// The daily reward's time zone, as minutes east of UTC.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    utc_offset_minutes: i32,
    /// Port to serve on when there is no --load.
    #[arg(long, default_value_t = 3003)]
    port: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // `RUST_LOG=tower_http=debug cargo xtask demo 03` logs every request.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    // A handler's panic (an exercise's `todo!()`) is answered as a 500 problem
    // naming what is missing; the load report prints the first one.
    std::panic::set_hook(Box::new(|_| {}));
    let scratch = Scratch::create(&racecourse_03::MIGRATOR, "demo")
        .await
        .map_err(anyhow::Error::msg)?;
    let outcome = run(&args, scratch.pool.clone()).await;
    scratch.remove().await;
    outcome
}

async fn run(args: &Args, pool: PgPool) -> anyhow::Result<()> {
    if args.implementation == Impl::Naive && args.load.is_some() {
        // The naive vote as it ran before anyone added the unique key. (Served
        // without --load, the naive code keeps the key and its losers get 500s;
        // the naive vote change needs the key for its upsert.)
        sqlx::query("ALTER TABLE votes DROP CONSTRAINT votes_one_per_voter")
            .execute(&pool)
            .await?;
    }
    let redis = match find(Kind::Redis).await {
        Ok(found) => Some(redis_connect(&found.url).await?),
        Err(_) => None,
    };
    let prefix = format!("rc:demo03:{}:", std::process::id());
    let zone = Zone::fixed("the demo's zone", args.utc_offset_minutes * 60);
    let clock = Arc::new(SystemClock);
    let p = pool.clone();
    let services = match args.implementation {
        Impl::Naive => Services {
            polls: e::polls::<naive::poll::CheckThenInsert>(p.clone()),
            ballots: e::ballots::<naive::ballot::ReadThenUpsert>(p.clone()),
            likes: redis.map(|c| e::likes::<naive::likes::AlwaysCount>(c, prefix.clone())),
            rewards: e::daily_rewards::<naive::reward::CheckThenCredit>(p.clone(), zone, clock),
            coupons: e::coupons::<naive::coupon::CountThenInsert>(p.clone()),
            pool: p,
        },
        Impl::Exercise => Services {
            polls: e::polls::<exercise::poll::PgPolls>(p.clone()),
            ballots: e::ballots::<exercise::ballot::PgBallots>(p.clone()),
            likes: redis.map(|c| e::likes::<exercise::likes::RedisLikes>(c, prefix.clone())),
            rewards: e::daily_rewards::<exercise::reward::PgDailyRewards>(p.clone(), zone, clock),
            coupons: e::coupons::<exercise::coupon::PgCoupons>(p.clone()),
            pool: p,
        },
        Impl::Solution => Services {
            polls: e::polls::<solution::poll::PgPolls>(p.clone()),
            ballots: e::ballots::<solution::ballot::PgBallots>(p.clone()),
            likes: redis.map(|c| e::likes::<solution::likes::RedisLikes>(c, prefix.clone())),
            rewards: e::daily_rewards::<solution::reward::PgDailyRewards>(p.clone(), zone, clock),
            coupons: e::coupons::<solution::coupon::PgCoupons>(p.clone()),
            pool: p,
        },
    };
    let has_likes = services.likes.is_some();
    let router = app(services);
    let (poll, options) = create_poll(&pool, "Best pet?", &["cat", "dog", "fish"]).await?;
    create_coupon(&pool, "SPRING", args.uses).await?;
    match args.load {
        Some(n) => fire_load(args, &pool, router, poll, options[0], n).await,
        None => serve(args, router, poll, options[0], has_likes).await,
    }
}

async fn serve(
    args: &Args,
    router: axum::Router,
    poll: i64,
    option: i64,
    has_likes: bool,
) -> anyhow::Result<()> {
    let router = router.layer(tower_http::trace::TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let addr = listener.local_addr()?;
    println!(
        "demo 03 on http://{addr} ({:?} code; poll {poll}; coupon SPRING, {} uses)",
        args.implementation, args.uses
    );
    let json = "-H 'content-type: application/json'";
    println!(
        "  curl -s -X POST http://{addr}/polls/{poll}/votes {json} -d '{{\"voter\":\"ann\",\"option\":{option}}}'"
    );
    println!(
        "  curl -s -X PUT http://{addr}/polls/{poll}/votes/ann {json} -d '{{\"option\":{}}}'",
        option + 1
    );
    println!("  curl -s http://{addr}/polls/{poll}");
    if has_likes {
        println!("  curl -s -X PUT http://{addr}/posts/hello/likes/ann");
    } else {
        println!("  (no Redis answered: the likes routes are off)");
    }
    println!("  curl -si -X POST http://{addr}/rewards/ann/claim");
    println!(
        "  curl -s -X POST http://{addr}/coupons/SPRING/redemptions {json} -d '{{\"redeemer\":\"ann\"}}'"
    );
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
    pool: &PgPool,
    router: axum::Router,
    poll: i64,
    option: i64,
    n: usize,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });

    println!("demo 03, {:?} code", args.implementation);
    println!("votes: {n} identical votes of ann at once");
    let votes = (0..n)
        .map(|_| {
            Call::post_json(
                format!("/polls/{poll}/votes"),
                format!(r#"{{"voter":"ann","option":{option}}}"#),
            )
        })
        .collect();
    let report = load::fire(addr, votes).await;
    println!("  {report}");
    let answer = load::send(addr, &Call::get(format!("/polls/{poll}")))
        .await
        .map_err(anyhow::Error::msg)?;
    let view: PollView = serde_json::from_str(&answer.body)?;
    let verdict = match view.votes {
        1 => "counted once".to_string(),
        0 => "not counted at all".to_string(),
        v => format!("DOUBLE VOTES {}", v - 1),
    };
    println!("  votes counted for ann: {}: {verdict}", view.votes);
    let vote = Call::post_json(
        format!("/polls/{poll}/votes"),
        format!(r#"{{"voter":"bob","option":{option}}}"#),
    );
    warn_500s(args, addr, &report, vote, "03.1").await;

    println!(
        "coupons: {n} users redeem SPRING ({} uses) at once",
        args.uses
    );
    let redemptions = (0..n)
        .map(|i| {
            Call::post_json(
                "/coupons/SPRING/redemptions",
                format!(r#"{{"redeemer":"user-{i}"}}"#),
            )
        })
        .collect();
    let report = load::fire(addr, redemptions).await;
    println!("  {report}");
    let state = coupon_state(pool, "SPRING").await?;
    let limit = i64::from(state.max_uses).min(n as i64);
    let verdict = if state.redemptions > i64::from(state.max_uses) {
        format!(
            "OVER-REDEEMED by {}",
            state.redemptions - i64::from(state.max_uses)
        )
    } else if state.redemptions == limit && i64::from(state.uses) == limit {
        "every use redeemed exactly once".to_string()
    } else {
        format!(
            "{} redemptions, {} uses counted",
            state.redemptions, state.uses
        )
    };
    println!(
        "  redeemed {} times, uses {} of {}: {verdict}",
        state.redemptions, state.uses, state.max_uses
    );
    let redemption = Call::post_json("/coupons/SPRING/redemptions", r#"{"redeemer":"bob"}"#);
    warn_500s(args, addr, &report, redemption, "03.5").await;
    Ok(())
}

/// Says why requests failed with 500, with the answer to one more `call`.
async fn warn_500s(args: &Args, addr: SocketAddr, report: &load::Report, call: Call, id: &str) {
    let count = report.count(500);
    if count > 0 {
        println!(
            "  {count} requests failed with 500: is the {:?} code implemented? `cargo xtask test {id}` says.",
            args.implementation
        );
        if let Ok(answer) = load::send(addr, &call).await {
            println!("  one of them: {}", answer.body);
        }
    }
}
