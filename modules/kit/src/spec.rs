//! The wrapper every spec test runs in: it runs one check of an exercise under a
//! watchdog, and turns a failure into a message that reads like a teacher's,
//! naming the exercise, the file to edit and the way to a hint.
//!
//! A module writes each exercise's spec once, as a list of [`Check`]s made from
//! the implementation under test. The exercise and solution crates run one
//! check per `#[test]` through [`check`]; the module's gallery of wrong
//! implementations runs whole lists through [`run`] (see [`crate::gallery`]).

use crate::manifest::{Course, Side};
use racecourse_i18n::t;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// A spec test's body, boxed: [`check`] then is compiled once, here, and a
/// test crate's code after a student's edit is a call per test.
pub type Spec = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The runtime a spec test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// Four worker threads: tasks really run at once, so races happen.
    Threads,
    /// One thread on tokio's paused clock: `sleep` and `advance` move time
    /// forward instantly, so a lease of minutes is checked in microseconds.
    PausedClock,
}

/// One property of an exercise's spec, bound to the implementation under test.
pub struct Check {
    /// The test's name without the exercise's prefix: `never_oversells`.
    pub name: &'static str,
    pub runtime: Runtime,
    pub spec: Spec,
}

impl Check {
    pub fn new(
        name: &'static str,
        runtime: Runtime,
        spec: impl Future<Output = ()> + Send + 'static,
    ) -> Check {
        Check {
            name,
            runtime,
            spec: Box::pin(spec),
        }
    }
}

/// How long a spec test may take in real time unless course.toml's `timeout`
/// says otherwise. Far above what any right or wrong implementation needs, so
/// only a wait that never ends reaches it.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(60);

/// How much simulated time a check on tokio's paused clock may use. A task that
/// sleeps in a loop for ever makes the paused clock race ahead without using
/// real time per step; past this the check stops at once, long before the
/// real-time limit. The longest wait any spec needs is well under it.
pub const SIMULATED_LIMIT: Duration = Duration::from_secs(2 * 3600);

/// Runs the check called `name` among the `checks` of exercise `id`, for the
/// crate at `crate_dir` (the caller's `env!("CARGO_MANIFEST_DIR")`). On failure
/// it panics with a message that reads like a teacher's: what went wrong,
/// which file to edit, how to get a hint.
pub fn check(id: &str, crate_dir: &str, name: &str, checks: Vec<Check>) {
    let Some(one) = checks.into_iter().find(|c| c.name == name) else {
        panic!(
            "{id}: the module's spec has no check named `{name}`: its spec! macro and its list of checks disagree"
        );
    };
    if let Err(message) = run(id, one) {
        let course = Course::embedded();
        // The crate sits at <root>/<side>/<module dir>: its grandparent names the side.
        let side_dir = std::path::Path::new(crate_dir)
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str());
        let side = if side_dir == Some(Side::Solutions.dir()) {
            Side::Solutions
        } else {
            Side::Exercises
        };
        let (title, file) = match course.exercise(id) {
            Some(e) => (
                racecourse_i18n::exercise(id, "title", &e.title),
                course.file_of(e, side),
            ),
            None => (t!("spec-not-in-course"), crate_dir.to_string()),
        };
        panic!(
            "\n{id} {title}: {}\n\n{}\n\n  {}\n  {}\n",
            t!("spec-not-passing"),
            indent(&explained(message)),
            t!("spec-file-to-edit", file = file),
            t!("spec-hint", id = id)
        );
    }
}

/// A stub's `todo!()` says "not yet implemented" in English, whatever the
/// language: that much is translated. What follows is in no language: the
/// exercise, the file and the item to write, with its arguments, as in
/// `01.1 exercises/01-concurrency/src/counter.rs: LockedCounter::increment`;
/// what the item must do is in the file's doc comments, not in the message.
/// So the whole message reads in the student's language.
fn explained(message: String) -> String {
    match message.strip_prefix("not yet implemented: ") {
        Some(what) => t!("spec-todo", what = what),
        None => message,
    }
}

/// One `#[test]` per check of an exercise, for a module's `spec!` macro:
/// `spec_tests!("01.4", <the exercise's checks>, e01_4_never_oversells = "never_oversells", ...)`.
/// Each test builds the exercise's list of checks and runs the one it names
/// through [`check`].
#[macro_export]
macro_rules! spec_tests {
    ($id:literal, $checks:expr, $($test:ident = $name:literal),+ $(,)?) => {
        $(
            #[test]
            fn $test() {
                $crate::spec::check($id, env!("CARGO_MANIFEST_DIR"), $name, $checks);
            }
        )+
    };
}

/// Runs one check of exercise `id` to its verdict, under the watchdog: `Ok`,
/// or what went wrong. The limit and the likely cause of a hang come from
/// course.toml.
pub fn run(id: &str, check: Check) -> Result<(), String> {
    let course = Course::embedded();
    let exercise = course.exercise(id);
    let limit = exercise
        .and_then(|e| e.timeout)
        .map_or(DEFAULT_LIMIT, Duration::from_secs);
    let cause = match exercise.and_then(|e| e.stuck.as_deref()) {
        Some(stuck) => racecourse_i18n::exercise(id, "stuck", stuck.trim()),
        // The likely cause of a check that never finishes, when course.toml's
        // `stuck` gives none for the exercise.
        None => t!("spec-stuck-general-cause"),
    };
    run_within(check, limit).map_err(|failure| match failure {
        Failure::Failed(message) => message,
        Failure::Stuck(how) => t!(
            "spec-stuck",
            check = how.check,
            how = how.to_string(),
            cause = cause.trim()
        ),
    })
}

/// Why a check did not pass.
#[derive(Debug)]
enum Failure {
    /// It panicked, with this message.
    Failed(String),
    /// It did not finish in time.
    Stuck(Stuck),
}

#[derive(Debug)]
struct Stuck {
    check: &'static str,
    limit: Duration,
    simulated: bool,
}

impl std::fmt::Display for Stuck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = if self.simulated {
            t!("spec-stuck-simulated", minutes = self.limit.as_secs() / 60)
        } else {
            t!("spec-stuck-real", seconds = self.limit.as_secs())
        };
        f.write_str(&line)
    }
}

/// Runs `check` on a thread of its own and waits for it at most `limit` of
/// real time. The watchdog is this thread's `recv_timeout`, not tokio's timer,
/// so it fires even when the check's runtime is on a paused clock or a task
/// never yields. A check past its limit is left running on its thread (a
/// thread cannot be killed); the test fails now and the process moves on.
fn run_within(check: Check, limit: Duration) -> Result<(), Failure> {
    let Check {
        name,
        runtime,
        spec,
    } = check;
    let (verdict_tx, verdict_rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("spec {name}"))
        .spawn(move || {
            let rt = match runtime {
                Runtime::Threads => tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(4)
                    .enable_all()
                    .build(),
                Runtime::PausedClock => tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .start_paused(true)
                    .build(),
            }
            .expect("a tokio runtime for the spec");
            let verdict = rt.block_on(async {
                match runtime {
                    Runtime::Threads => outcome(spec).await.map_err(Failure::Failed),
                    Runtime::PausedClock => {
                        match tokio::time::timeout(SIMULATED_LIMIT, outcome(spec)).await {
                            Ok(result) => result.map_err(Failure::Failed),
                            Err(_) => Err(Failure::Stuck(Stuck {
                                check: name,
                                limit: SIMULATED_LIMIT,
                                simulated: true,
                            })),
                        }
                    }
                }
            });
            let _ = verdict_tx.send(verdict);
            // Tasks a wrong implementation left behind are dropped, not awaited.
            rt.shutdown_background();
        })
        .expect("a thread for the spec");
    match verdict_rx.recv_timeout(limit) {
        Ok(verdict) => verdict,
        Err(RecvTimeoutError::Timeout) => Err(Failure::Stuck(Stuck {
            check: name,
            limit,
            simulated: false,
        })),
        Err(RecvTimeoutError::Disconnected) => Err(Failure::Failed(t!("spec-no-verdict"))),
    }
}

/// Runs `spec` on its own task and returns its panic message, if it panicked.
async fn outcome<F>(spec: F) -> Result<(), String>
where
    F: Future<Output = ()> + Send + 'static,
{
    match tokio::spawn(spec).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_panic() => Err(panic_message(e.into_panic())),
        Err(e) => Err(t!("spec-cancelled", error = e.to_string())),
    }
}

// ANCHOR: together
/// Spawns `n` tasks that start together (they wait at a barrier, so none gets
/// a head start) and returns their results in order, re-raising a panic. Every
/// module's spec starts its racing tasks with it.
pub async fn together<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let handles = (0..n)
        .map(|i| {
            let barrier = barrier.clone();
            let work = task(i);
            tokio::spawn(async move {
                barrier.wait().await;
                work.await
            })
        })
        .collect();
    join_all(handles).await
}
// ANCHOR_END: together

/// Awaits every task and re-raises the first panic among them as the caller's
/// own, so a stub's `todo!()` inside a spawned task fails the spec with its message.
pub async fn join_all<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(join(handle).await);
    }
    out
}

/// Awaits one task and re-raises its panic as the caller's own (see [`join_all`]).
pub async fn join<T>(handle: tokio::task::JoinHandle<T>) -> T {
    match handle.await {
        Ok(v) => v,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("{}", t!("spec-cancelled", error = e.to_string())),
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_string(),
            Err(_) => t!("spec-panic-not-text"),
        },
    }
}

fn indent(text: &str) -> String {
    text.trim()
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn stuck_within(check: Check, limit: Duration) -> (Stuck, Duration) {
        let start = Instant::now();
        match run_within(check, limit) {
            Err(Failure::Stuck(stuck)) => (stuck, start.elapsed()),
            other => panic!("expected the watchdog to stop the check, got {other:?}"),
        }
    }

    #[test]
    fn a_wait_that_never_ends_fails_at_the_real_limit() {
        let never = Check::new("never", Runtime::Threads, std::future::pending());
        let (stuck, took) = stuck_within(never, Duration::from_millis(300));
        assert!(!stuck.simulated);
        assert!(took < Duration::from_secs(5), "took {took:?}");
    }

    #[test]
    fn a_task_that_never_yields_fails_at_the_real_limit_on_the_paused_clock() {
        // A busy loop that yields but never sleeps: the paused clock never moves.
        let spin = Check::new("spin", Runtime::PausedClock, async {
            loop {
                tokio::task::yield_now().await;
            }
        });
        let (stuck, _) = stuck_within(spin, Duration::from_millis(300));
        assert!(!stuck.simulated);
    }

    #[test]
    fn sleeping_for_ever_on_the_paused_clock_fails_in_simulated_time() {
        let sleeper = Check::new("sleeper", Runtime::PausedClock, async {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let (stuck, took) = stuck_within(sleeper, Duration::from_secs(60));
        assert!(stuck.simulated, "the simulated limit comes first");
        assert!(took < Duration::from_secs(30), "took {took:?}");
        let waiter = Check::new("waiter", Runtime::PausedClock, async {
            tokio::sync::Notify::new().notified().await;
        });
        assert!(stuck_within(waiter, Duration::from_secs(60)).0.simulated);
    }

    #[test]
    fn a_stuck_check_names_itself_and_the_likely_cause() {
        let message = run(
            "01.3",
            Check::new("waiting", Runtime::PausedClock, std::future::pending()),
        )
        .unwrap_err();
        assert!(message.contains("`waiting` did not finish"), "{message}");
        assert!(message.contains("Likely cause"), "{message}");
    }

    #[test]
    fn a_failure_keeps_its_message() {
        let failing = Check::new("failing", Runtime::Threads, async {
            panic!("expected 50 orders, got 63");
        });
        assert_eq!(
            run("01.4", failing).unwrap_err(),
            "expected 50 orders, got 63"
        );
    }
}

/// One of the spec's own steps (reading a row, setting up the services),
/// which must work for a check to mean anything: its failure names the step
/// in the student's language, then the error, as `expect` does in English.
/// `pool.begin().await.or_fail(|| t!("spec-04-6-begin"))`.
pub trait OrFail<T> {
    fn or_fail(self, step: impl FnOnce() -> String) -> T;
}

impl<T, E: std::fmt::Debug> OrFail<T> for Result<T, E> {
    #[track_caller]
    fn or_fail(self, step: impl FnOnce() -> String) -> T {
        match self {
            Ok(value) => value,
            Err(e) => panic!("{}: {e:?}", step()),
        }
    }
}

impl<T> OrFail<T> for Option<T> {
    #[track_caller]
    fn or_fail(self, step: impl FnOnce() -> String) -> T {
        match self {
            Some(value) => value,
            None => panic!("{}", step()),
        }
    }
}
