//! The summary of `--load` prints the Prometheus series, for every `--impl`
//! and store, with the counts of the load it ran. Each run is a process of
//! its own, with a recorder of its own.

use std::process::Command;

/// The demo's output for `args`, after checking that it succeeded.
fn demo(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_racecourse-01-demo"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The value of the sample `series` (name and labels) in `summary`; 0 when absent,
/// as Prometheus reads a counter not incremented yet.
fn sample(summary: &str, series: &str) -> u64 {
    summary
        .lines()
        .filter_map(|line| line.trim().strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
        .next()
        .unwrap_or(0)
}

/// The counts every run must agree on, whoever's code: each answer counted
/// by status, each 201 and 409 an order by outcome, each order timed.
fn assert_consistent(summary: &str, buyers: u64) {
    let created = sample(summary, r#"http_requests_total{status_code="201"}"#);
    let refused = sample(summary, r#"http_requests_total{status_code="409"}"#);
    assert_eq!(created + refused, buyers, "{summary}");
    assert_eq!(
        sample(summary, r#"http_requests_total{status_code="200"}"#),
        1,
        "{summary}"
    );
    assert_eq!(
        sample(summary, r#"orders_created_total{status="CONFIRMED"}"#),
        created,
        "{summary}"
    );
    assert_eq!(
        sample(summary, r#"orders_created_total{status="OUT_OF_STOCK"}"#),
        refused,
        "{summary}"
    );
    assert_eq!(
        sample(
            summary,
            r#"inventory_lock_duration_seconds_bucket{le="+Inf"}"#
        ),
        buyers,
        "{summary}"
    );
}

#[test]
fn the_naive_shops_series_agree_with_its_answers() {
    let summary = demo(&["--impl", "naive", "--load", "60", "--stock", "50"]);
    assert_consistent(&summary, 60);
    assert!(
        summary.contains("no pg_pool_waiting_connections"),
        "{summary}"
    );
}

#[test]
fn the_solution_confirms_the_stock_and_refuses_the_rest() {
    let summary = demo(&["--impl", "solution", "--load", "60", "--stock", "50"]);
    assert_consistent(&summary, 60);
    assert_eq!(
        sample(&summary, r#"orders_created_total{status="CONFIRMED"}"#),
        50
    );
}

#[test]
fn on_postgresql_the_pool_gauge_is_printed_too() {
    let summary = demo(&["--impl", "solution", "--store", "pg", "--load", "60"]);
    assert_consistent(&summary, 60);
    assert_eq!(
        sample(&summary, r#"orders_created_total{status="CONFIRMED"}"#),
        50
    );
    assert!(
        summary.contains("pg_pool_waiting_connections 0\n"),
        "{summary}"
    );
    assert!(
        summary.contains("pg_pool_waiting_connections peaked at"),
        "{summary}"
    );
}
