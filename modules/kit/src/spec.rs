//! The wrapper every spec test runs in: it turns a failure into a message that
//! names the exercise, the file to edit and the way to a hint, and it lets a
//! module prove that its spec catches the naive implementation.

use crate::manifest::{Course, Side};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;

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

/// Runs one spec test of exercise `id` for the crate at `crate_dir` (the caller's
/// `env!("CARGO_MANIFEST_DIR")`). On failure it panics with a message that reads
/// like a teacher's: what went wrong, which file to edit, how to get a hint.
pub fn check(id: &str, crate_dir: &str, runtime: Runtime, spec: Spec) {
    let runtime = match runtime {
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
    if let Err(message) = runtime.block_on(outcome(spec)) {
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
            Some(e) => (e.title.as_str(), course.file_of(e, side)),
            None => ("(not in course.toml)", crate_dir.to_string()),
        };
        panic!(
            "\n{id} {title}: not passing yet\n\n{}\n\n  file to edit: {file}\n  a hint:       cargo xtask hint {id}\n",
            indent(&message)
        );
    }
}

/// Runs a spec against an implementation that must fail it (the naive one) and
/// returns the failure message. Panics if the spec passes: a spec that cannot
/// tell the race from the fix proves nothing.
pub async fn expect_failure<F>(what: &str, spec: F) -> String
where
    F: Future<Output = ()> + Send + 'static,
{
    match outcome(spec).await {
        Ok(()) => panic!(
            "the spec passed against {what}: it does not catch the race it is meant to catch"
        ),
        Err(message) => message,
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
        Err(e) => Err(format!("the spec's task was cancelled: {e}")),
    }
}

/// Awaits every task and re-raises the first panic among them as the caller's
/// own, so a stub's `todo!()` inside a spawned task fails the spec with its message.
pub async fn join_all<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(v) => out.push(v),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => panic!("a task of the spec was cancelled: {e}"),
        }
    }
    out
}

/// The text of a panic payload.
pub fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_string(),
            Err(_) => "the spec panicked with a value that is not text".into(),
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
