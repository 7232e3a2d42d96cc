//! `cargo xtask bench 04`: the reference solutions' token bucket (04.1) and
//! LRU cache (04.5) beside the naive ones and beside the well-kept crates,
//! `governor` and `moka`, measured in the same run, as ratios. `--impl
//! exercise` measures yours instead.
//!
//! The lessons are in the ratios. The naive bucket costs about what the right
//! one does (its flaw is in what it decides), and governor's GCRA, one atomic
//! number per key in a sharded map, shows what two threads at once cost each.
//! The naive LRU's scan makes it slower the bigger the cache. moka, a
//! concurrent cache, is slower per operation than an LRU with no lock at all,
//! but its TinyLFU admission keeps the hot keys through a scan of one-off
//! keys, which a plain LRU lets flush them: on the skewed trace its hit ratio
//! is the higher. Build with `--release` for figures worth quoting:
//! unoptimised, only the hit ratios and the scan's ratio mean much.

// Beside this file, in bench/: xtask finds a module's bench by this file's path.
#[path = "bench/caches.rs"]
mod caches;
#[path = "bench/limiters.rs"]
mod limiters;

use clap::{Parser, ValueEnum};
use racecourse_04::spec::erased::{lru_cache, rate_limiter};
use racecourse_bench::{Chart, Line, draw};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(
    about = "Module 04's token bucket and LRU cache beside the naive ones, governor and moka"
)]
struct Args {
    /// Whose code is measured beside the naive code and the crates.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Cache sizes to measure the LRU at.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000, 10_000, 50_000])]
    entries: Vec<usize>,
    /// Rounds of the skewed trace the LRU and moka run (each 50,000 gets of
    /// popular keys, then a scan of 10,000 keys never asked for again).
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// One small point of each, to show the bench runs (`cargo xtask verify`).
    #[arg(long)]
    smoke: bool,
    /// Also draw the LRU's and moka's hit ratios against the cache's size here (SVG).
    #[arg(long)]
    svg: Option<PathBuf>,
}

fn main() {
    let args = Args::parse();
    let who = args.implementation;
    let (bucket, lru): (limiters::MakeBucket, caches::MakeLru) = match who {
        Impl::Exercise => (
            rate_limiter::<racecourse_04_exercises::token_bucket::TokenBucket>,
            lru_cache::<racecourse_04_exercises::lru::Lru<String>, _>,
        ),
        Impl::Solution => (
            rate_limiter::<racecourse_04_solutions::token_bucket::TokenBucket>,
            lru_cache::<racecourse_04_solutions::lru::Lru<String>, _>,
        ),
    };
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let (entries, rounds, time) = if args.smoke {
        (vec![1_000], 1, Duration::from_millis(50))
    } else {
        (args.entries, args.rounds, Duration::from_millis(300))
    };
    println!("{who:?} beside the naive code and the crates, in this run ({build} build)\n");
    print!("{}", limiters::table(who, bucket, time, args.smoke));
    println!();
    print!("{}", caches::scan_table(who, lru, &entries, time));
    println!();
    let (table, hits) = caches::trace_table(who, lru, &entries, rounds);
    print!("{table}");
    if let Some(svg) = &args.svg {
        match plot_hits(svg, who, &hits) {
            Ok(()) => println!("plot written to {}", svg.display()),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
}

/// The hit ratios on the trace against the cache's size: where TinyLFU's
/// admission beats plain recency, and by how much.
fn plot_hits(path: &Path, who: Impl, hits: &[caches::Hits]) -> Result<(), String> {
    let line = |name: String, color, value: fn(&caches::Hits) -> f64| Line {
        name: Some(name),
        points: hits
            .iter()
            .enumerate()
            .map(|(i, h)| (i, value(h)))
            .collect(),
        color,
        dashed: false,
    };
    draw(
        path,
        &Chart {
            title: "Module 04: LRU (04.5) beside moka, one skewed trace with scans",
            x_desc: "cache entries",
            y_desc: "hit ratio, %",
            xs: hits.iter().map(|h| h.entries.to_string()).collect(),
            lines: vec![
                line(format!("{who:?} LRU"), 1, |h| h.ours),
                line("moka (TinyLFU)".into(), 2, |h| h.moka),
            ],
        },
    )
}

/// How many times `op` runs per second, measured for about `time`.
fn per_second(time: Duration, mut op: impl FnMut(usize)) -> f64 {
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < time {
        for _ in 0..1000 {
            op(n);
            n += 1;
        }
    }
    n as f64 / started.elapsed().as_secs_f64()
}
