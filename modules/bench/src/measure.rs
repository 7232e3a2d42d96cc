//! Closed-loop clients: each runs one operation after another for the whole
//! time, as pgbench's clients do, so the two are measured alike.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one operation did: the attempts it took, and whether it succeeded.
/// An optimistic update that conflicts twice and then writes is 3 attempts and
/// one success: attempts are load on the database, successes are work done.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    pub attempts: u32,
    pub succeeded: bool,
}

/// The figures of one strategy at one concurrency.
#[derive(Debug, Clone, Default)]
pub struct Measure {
    pub successes: u64,
    pub attempts: u64,
    pub failures: u64,
    pub elapsed: Duration,
    /// Latency of the operations, successful or not.
    pub p50: Duration,
    pub p99: Duration,
}

impl Measure {
    pub fn per_second(&self, count: u64) -> f64 {
        count as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// How [`drive`] numbers the calls of one client: client `c`'s `n`th call
/// is `c * CALLS_PER_CLIENT + n`.
const CALLS_PER_CLIENT: usize = 1_000_000;

/// The client that made call `call` of [`drive`]: a bench whose clients keep
/// state of their own (a worker's claimed batch) finds its slot with it.
pub fn client_of(call: usize) -> usize {
    call / CALLS_PER_CLIENT
}

/// Runs `op` from `clients` tasks at once for `time`, each starting its next
/// operation as soon as the last one ends, and measures them all. `op` is
/// given the call's number, unique in the run; [`client_of`] tells its client.
pub async fn drive<F, Fut>(clients: usize, time: Duration, op: F) -> Measure
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Attempt> + Send,
{
    let op = Arc::new(op);
    let began = Instant::now();
    let deadline = began + time;
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut n = 0;
                while Instant::now() < deadline {
                    let start = Instant::now();
                    let attempt = op(client * CALLS_PER_CLIENT + n).await;
                    seen.push((start.elapsed(), attempt));
                    n += 1;
                }
                seen
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut measure = Measure::default();
    for task in tasks {
        for (latency, attempt) in task.await.expect("a bench client panicked") {
            latencies.push(latency);
            measure.attempts += u64::from(attempt.attempts);
            if attempt.succeeded {
                measure.successes += 1;
            } else {
                measure.failures += 1;
            }
        }
    }
    measure.elapsed = began.elapsed();
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    measure.p50 = at(0.50);
    measure.p99 = at(0.99);
    measure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_attempts_and_successes_of_every_client() {
        let measure = drive(4, Duration::from_millis(50), |i| async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Attempt {
                attempts: 2,
                succeeded: i % 2 == 0,
            }
        })
        .await;
        let operations = measure.successes + measure.failures;
        assert!(
            operations >= 8,
            "4 clients for 50 ms of 1 ms operations: {measure:?}"
        );
        assert_eq!(measure.attempts, 2 * operations);
        assert!(measure.p50 >= Duration::from_millis(1) && measure.p99 >= measure.p50);
    }

    #[tokio::test]
    async fn tells_each_call_its_client() {
        let seen = Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
        let record = seen.clone();
        drive(3, Duration::from_millis(20), move |call| {
            record.lock().unwrap().insert(client_of(call));
            async {
                tokio::task::yield_now().await;
                Attempt {
                    attempts: 1,
                    succeeded: true,
                }
            }
        })
        .await;
        assert_eq!(*seen.lock().unwrap(), [0, 1, 2].into());
    }
}
