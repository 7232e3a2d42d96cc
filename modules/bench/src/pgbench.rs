//! pgbench beside our code: the same SQL, run by PostgreSQL's own benchmark
//! client (`pgbench -n -f script -c N -j N -T S`), which is as fast as a
//! client can be. The ratio of our transactions per second to its is what the
//! course's code costs over the database's own limit.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

/// What pgbench printed for one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PgMeasure {
    /// Transactions per second, without the time to connect.
    pub tps: f64,
    pub latency_average: Duration,
}

impl PgMeasure {
    /// The figures per operation of ours when each of pgbench's transactions
    /// does `operations` of them (a batch of jobs claimed, then completed one
    /// by one): `operations` times the rate, the latency shared among them.
    pub fn per(self, operations: u32) -> PgMeasure {
        PgMeasure {
            tps: self.tps * f64::from(operations),
            latency_average: self.latency_average / operations.max(1),
        }
    }
}

/// Runs `script` (pgbench's script language) with `clients` clients for
/// `time` against `url`, with `search_path` set to `schema`. `Ok(None)` when
/// pgbench is not installed: the bench then says what it skipped.
pub fn pgbench(
    url: &str,
    schema: &str,
    script: &str,
    clients: usize,
    time: Duration,
) -> Result<Option<PgMeasure>, String> {
    pgbench_with(url, &[("search_path", schema)], script, clients, time)
}

/// [`pgbench`] with these settings on each of its connections (`-c
/// name=value` in `PGOPTIONS`), as a bench sets them on its own pool:
/// `search_path` and, say, `synchronous_commit`.
pub fn pgbench_with(
    url: &str,
    settings: &[(&str, &str)],
    script: &str,
    clients: usize,
    time: Duration,
) -> Result<Option<PgMeasure>, String> {
    let mut file = std::env::temp_dir();
    file.push(format!(
        "racecourse-pgbench-{}-{clients}.sql",
        std::process::id()
    ));
    std::fs::File::create(&file)
        .and_then(|mut f| f.write_all(script.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let output = Command::new("pgbench")
        .args(["-n", "-f"])
        .arg(&file)
        .args(["-c", &clients.to_string(), "-j", &clients.to_string()])
        .args(["-T", &time.as_secs().max(1).to_string()])
        .arg(url)
        .env("PGOPTIONS", options(settings))
        .output();
    let _ = std::fs::remove_file(&file);
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot run pgbench: {e}")),
    };
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "pgbench failed: {}{}",
            String::from_utf8_lossy(&output.stderr),
            text
        ));
    }
    parse(&text)
        .map(Some)
        .ok_or_else(|| format!("cannot read pgbench's figures from:\n{text}"))
}

/// `-c a=1 -c b=2`, as libpq reads `PGOPTIONS`.
fn options(settings: &[(&str, &str)]) -> String {
    settings
        .iter()
        .map(|(name, value)| format!("-c {name}={value}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads `latency average = 1.234 ms` and `tps = 5678.9 (without initial
/// connection time)` from pgbench's report.
fn parse(report: &str) -> Option<PgMeasure> {
    let value = |prefix: &str| {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
    };
    Some(PgMeasure {
        tps: value("tps = ")?,
        latency_average: Duration::from_secs_f64(value("latency average = ")? / 1000.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pgbench_15s_report() {
        let report = "transaction type: /tmp/x.sql\nscaling factor: 1\nnumber of clients: 8\n\
            number of transactions actually processed: 12345\nlatency average = 1.944 ms\n\
            initial connection time = 12.3 ms\ntps = 4115.123456 (without initial connection time)\n";
        let m = parse(report).unwrap();
        assert!((m.tps - 4115.123456).abs() < 1e-6);
        assert_eq!(m.latency_average, Duration::from_micros(1944));
        assert_eq!(parse("nothing"), None);
    }

    #[test]
    fn a_batch_per_transaction_is_counted_per_operation() {
        let batch = PgMeasure {
            tps: 500.0,
            latency_average: Duration::from_millis(2),
        };
        let per_job = batch.per(10);
        assert_eq!(per_job.tps, 5000.0);
        assert_eq!(per_job.latency_average, Duration::from_micros(200));
    }

    #[test]
    fn settings_become_pgoptions() {
        assert_eq!(
            options(&[("search_path", "rc_x"), ("synchronous_commit", "off")]),
            "-c search_path=rc_x -c synchronous_commit=off"
        );
    }
}
