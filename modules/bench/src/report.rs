//! The table a bench prints.

use crate::measure::Measure;
use crate::pgbench::PgMeasure;

/// One strategy at one concurrency: ours, and pgbench's on the same SQL.
#[derive(Debug, Clone)]
pub struct Point {
    pub strategy: String,
    pub clients: usize,
    pub ours: Measure,
    pub pgbench: Option<PgMeasure>,
}

fn ms(d: std::time::Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// The points as a table: successes and attempts per second, latency, and the
/// ratio of our attempts per second to pgbench's transactions per second:
/// pgbench runs the same SQL and counts a conflicting attempt as a
/// transaction too, so attempts are what compare.
pub fn table(points: &[Point]) -> String {
    let mut out = format!(
        "{:<26} {:>7} {:>10} {:>10} {:>8} {:>8} {:>11} {:>7}\n",
        "strategy", "clients", "ok/s", "tries/s", "p50 ms", "p99 ms", "pgbench/s", "tries/pg"
    );
    for p in points {
        let ok = p.ours.per_second(p.ours.successes);
        let tries = p.ours.per_second(p.ours.attempts);
        let (pg, ratio) = match p.pgbench {
            Some(pg) => (format!("{:.0}", pg.tps), format!("{:.2}", tries / pg.tps)),
            None => ("-".into(), "-".into()),
        };
        out.push_str(&format!(
            "{:<26} {:>7} {:>10.0} {:>10.0} {:>8} {:>8} {:>11} {:>7}\n",
            p.strategy,
            p.clients,
            ok,
            tries,
            ms(p.ours.p50),
            ms(p.ours.p99),
            pg,
            ratio
        ));
    }
    out
}
