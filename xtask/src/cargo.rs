//! Running cargo: print the command, run it, and read libtest's report.
//!
//! Every spec run goes through [`spec`], with one package selection per side
//! (`-p <exercises package> --test spec`), so moving from one exercise to the
//! next never rebuilds a dependency: only the filter changes.

use crate::containers::Containers;
use racecourse_manifest::{Module, Side};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A cargo command in the repository, printed before it runs.
pub fn command(root: &Path, args: &[&str]) -> Command {
    eprintln!("$ cargo {}", args.join(" "));
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root).args(args);
    cmd
}

/// `racecourse-tools` with `args`: the runner's heavy half (services,
/// containers, the book), built and run through cargo.
pub fn tools(root: &Path, args: &[&str]) -> Command {
    let mut full = vec!["run", "--quiet", "-p", "racecourse-tools", "--"];
    full.extend_from_slice(args);
    command(root, &full)
}

/// One spec test's outcome.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    pub passed: bool,
    /// What the test printed when it failed (the spec's message and any panics).
    pub output: String,
}

/// The outcome of a spec run.
#[derive(Debug)]
pub struct SpecRun {
    /// By test name.
    pub tests: BTreeMap<String, TestOutcome>,
    /// False when the crate did not compile (cargo printed why on stderr).
    pub compiled: bool,
}

impl SpecRun {
    /// The tests whose names start with `prefix`.
    pub fn matching<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a String, &'a TestOutcome)> {
        self.tests
            .iter()
            .filter(move |(name, _)| name.starts_with(prefix))
    }
}

/// Runs the spec of `module` against one side, keeping only tests that start
/// with `filter` (empty: all), with the services in `containers`. Cargo's build
/// output goes to the terminal.
pub fn spec(
    root: &Path,
    module: &Module,
    side: Side,
    filter: &str,
    containers: &Containers,
) -> anyhow::Result<SpecRun> {
    let package = match side {
        Side::Exercises => &module.exercises_package,
        Side::Solutions => &module.solutions_package,
    };
    let mut args = vec![
        "test", "--quiet", "-p", package, "--test", "spec", "--", "--format", "pretty",
    ];
    if !filter.is_empty() {
        args.push(filter);
    }
    let mut cmd = command(root, &args);
    containers.apply(&mut cmd);
    let output = cmd
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tests = parse_libtest(&stdout);
    let compiled = stdout.contains("test result:") || !tests.is_empty();
    if !compiled {
        // The compiler's errors: the student needs every word of them.
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(SpecRun { tests, compiled })
}

/// A test target built without running it: its executable, and its package's
/// folder, where cargo would run it.
#[derive(Debug, PartialEq)]
pub struct TestBinary {
    pub executable: PathBuf,
    pub dir: PathBuf,
}

/// Builds the test target `target` of `package` once (`cargo test --no-run`),
/// so that it can be run many times without asking cargo again. `None` when it
/// did not compile, after printing the compiler's errors.
pub fn build_test(root: &Path, package: &str, target: &str) -> anyhow::Result<Option<TestBinary>> {
    let output = command(
        root,
        &[
            "test",
            "-p",
            package,
            "--test",
            target,
            "--no-run",
            "--message-format=json",
        ],
    )
    .stdout(Stdio::piped())
    .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if let Some(binary) = test_binary(&stdout, target).filter(|_| output.status.success()) {
        return Ok(Some(binary));
    }
    // With JSON messages the compiler's errors come on stdout, rendered.
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-message" && message["message"]["level"] == "error" {
            eprint!("{}", message["message"]["rendered"].as_str().unwrap_or(""));
        }
    }
    Ok(None)
}

/// The executable of the test target `target` in cargo's JSON messages: the
/// `compiler-artifact` whose target is that name.
pub fn test_binary(json_lines: &str, target: &str) -> Option<TestBinary> {
    json_lines.lines().find_map(|line| {
        let message = serde_json::from_str::<serde_json::Value>(line).ok()?;
        if message["reason"] != "compiler-artifact" || message["target"]["name"] != target {
            return None;
        }
        let executable = PathBuf::from(message["executable"].as_str()?);
        let dir = Path::new(message["manifest_path"].as_str()?)
            .parent()?
            .to_path_buf();
        Some(TestBinary { executable, dir })
    })
}

/// Reads libtest's plain report: `test NAME ... ok|FAILED` lines and the
/// `---- NAME stdout ----` sections of the failures.
pub fn parse_libtest(stdout: &str) -> BTreeMap<String, TestOutcome> {
    let mut tests = BTreeMap::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("test ") {
            if let Some((name, verdict)) = rest.rsplit_once(" ... ") {
                let passed = verdict.trim() == "ok";
                if passed || verdict.trim() == "FAILED" {
                    tests.insert(
                        name.trim().to_string(),
                        TestOutcome {
                            passed,
                            output: String::new(),
                        },
                    );
                }
            }
        }
    }
    let mut current: Option<String> = None;
    for line in stdout.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = Some(name.to_string());
            continue;
        }
        if line == "failures:" || line.starts_with("test result:") {
            current = None;
            continue;
        }
        if let Some(outcome) = current.as_ref().and_then(|name| tests.get_mut(name)) {
            outcome.output.push_str(line);
            outcome.output.push('\n');
        }
    }
    tests
}

/// The part of a failed spec test's output that explains it: the message
/// between the spec wrapper's title and its "file to edit" line, or else the
/// whole output without thread banners.
pub fn explanation(output: &str) -> String {
    if let (Some(start), Some(end)) = (output.find("not passing yet"), output.find("file to edit:"))
    {
        if start < end {
            let body = &output[start + "not passing yet".len()..end];
            return body.trim_matches('\n').trim_end().to_string();
        }
    }
    output
        .lines()
        .filter(|l| !l.starts_with("thread '") && !l.starts_with("note: run with"))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// True when a failure is a missing service rather than the student's code.
pub fn missing_service(output: &str) -> Option<&'static str> {
    if output.contains("PostgreSQL is needed here") {
        Some("PostgreSQL")
    } else if output.contains("Redis is needed here") {
        Some("Redis")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\nrunning 2 tests\ntest e01_1_a ... ok\ntest e01_1_b ... FAILED\n\nfailures:\n\n---- e01_1_b stdout ----\n\nthread 'x' panicked at modules/kit/src/spec.rs:27:9:\n\n01.1 Lost-update counter: not passing yet\n\n  expected 100000, got 3\n\n  file to edit: exercises/01-concurrency/src/counter.rs\n\n\nfailures:\n    e01_1_b\n\ntest result: FAILED. 1 passed; 1 failed\n";

    #[test]
    fn reads_verdicts_and_failure_messages() {
        let tests = parse_libtest(REPORT);
        assert_eq!(tests.len(), 2);
        assert!(tests["e01_1_a"].passed);
        assert!(!tests["e01_1_b"].passed);
        assert_eq!(
            explanation(&tests["e01_1_b"].output),
            "  expected 100000, got 3"
        );
    }

    #[test]
    fn finds_the_test_executable_in_cargos_messages() {
        let messages = [
            r#"{"reason":"compiler-artifact","package_id":"path+file:///r/modules/kit#racecourse-kit@0.1.0","manifest_path":"/r/modules/kit/Cargo.toml","target":{"kind":["lib"],"name":"racecourse_kit"},"executable":null,"fresh":true}"#,
            "not json",
            r#"{"reason":"compiler-artifact","manifest_path":"/r/exercises/01-concurrency/Cargo.toml","target":{"kind":["test"],"name":"spec"},"executable":"/r/target/debug/deps/spec-0123abcd","fresh":false}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            test_binary(&messages, "spec"),
            Some(TestBinary {
                executable: "/r/target/debug/deps/spec-0123abcd".into(),
                dir: "/r/exercises/01-concurrency".into(),
            })
        );
        assert_eq!(test_binary(&messages, "gallery"), None);
        assert_eq!(test_binary(&messages, "racecourse_kit"), None);
    }
}
