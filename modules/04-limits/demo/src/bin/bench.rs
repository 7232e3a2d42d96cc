//! `cargo xtask bench 04`: the reference solutions' token bucket (04.1) and
//! LRU cache (04.5) beside the naive ones, measured in the same run, as
//! ratios. `--impl exercise` measures yours instead.
//!
//! The lesson is in the ratios: the naive bucket costs the same as the right
//! one (its flaw is in what it decides), while the naive LRU's scan makes it
//! slower the bigger the cache. Build with `--release` for figures worth
//! quoting: unoptimised, the bucket's ratio means little (the LRU's still
//! shows the scan). The comparison with the
//! `governor` and `moka` crates is not here: neither is a dependency of the
//! course yet.

use clap::{Parser, ValueEnum};
use racecourse_04::demo;
use racecourse_04::naive;
use racecourse_04::spec::erased::{lru_cache, rate_limiter};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Impl {
    Exercise,
    Solution,
}

#[derive(Parser)]
#[command(about = "Module 04's token bucket and LRU cache beside the naive ones")]
struct Args {
    /// Whose code is measured beside the naive code.
    #[arg(long = "impl", value_enum, default_value = "solution")]
    implementation: Impl,
    /// Cache sizes to measure the LRU at.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000, 10_000, 50_000])]
    entries: Vec<usize>,
    /// One small point of each, to show the bench runs (`cargo xtask verify`).
    #[arg(long)]
    smoke: bool,
}

fn main() {
    let args = Args::parse();
    let who = args.implementation;
    let (bucket, lru): (demo::MakeBucket, demo::MakeLru) = match who {
        Impl::Exercise => (
            rate_limiter::<racecourse_04_exercises::token_bucket::TokenBucket>,
            lru_cache::<racecourse_04_exercises::lru::Lru>,
        ),
        Impl::Solution => (
            rate_limiter::<racecourse_04_solutions::token_bucket::TokenBucket>,
            lru_cache::<racecourse_04_solutions::lru::Lru>,
        ),
    };
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("{who:?} beside the naive code, in this run ({build} build):");
    let mine = demo::bucket_decisions_per_second(bucket);
    let base =
        demo::bucket_decisions_per_second(rate_limiter::<naive::token_bucket::RefillOnCheck>);
    println!(
        "  token bucket, 10,000 keys: {mine:>12.0} decisions/s, naive {base:>12.0}: ratio {:.2}",
        mine / base
    );
    let entries = if args.smoke {
        vec![1_000]
    } else {
        args.entries
    };
    for entries in entries {
        let mine = demo::lru_lookups_per_second(lru, entries);
        let base = demo::lru_lookups_per_second(lru_cache::<naive::lru::ScanLru>, entries);
        println!(
            "  LRU, {entries:>6} entries:     {mine:>12.0} lookups/s,   naive {base:>12.0}: ratio {:.0}",
            mine / base
        );
    }
}
