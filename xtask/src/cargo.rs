//! Running cargo: print the command, run it, and read libtest's report.
//!
//! Every spec run goes through [`spec`], with one package selection per side
//! (`-p <exercises package> --lib`: the spec is the crate's unit tests), so
//! moving from one exercise to the next never rebuilds a dependency: only the
//! filter changes.

use crate::containers::Containers;
use crate::replay;
use racecourse_manifest::{Module, Side};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// A cargo command in the repository, printed before it runs.
pub fn command(root: &Path, args: &[&str]) -> Command {
    eprintln!("$ cargo {}", args.join(" "));
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root).args(args);
    cmd
}

/// The cargo arguments that select `racecourse-tools`, a workspace of its own
/// built into `target/tools` (xtask/tools/Cargo.toml says why).
pub const TOOLS: [&str; 4] = [
    "--manifest-path",
    "xtask/tools/Cargo.toml",
    "--target-dir",
    "target/tools",
];

/// `racecourse-tools` with `args`: the runner's heavy half (services,
/// containers, the book), built and run through cargo.
pub fn tools(root: &Path, args: &[&str]) -> Command {
    let mut full = vec!["run", "--quiet"];
    full.extend_from_slice(&TOOLS);
    full.push("--");
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
    /// The run of a binary that printed libtest's report on `stdout`.
    pub fn from_stdout(stdout: &str) -> SpecRun {
        let tests = parse_libtest(stdout);
        let compiled = stdout.contains("test result:") || !tests.is_empty();
        SpecRun { tests, compiled }
    }

    /// A crate that did not compile (the compiler said why on stderr).
    pub fn not_compiled() -> SpecRun {
        SpecRun {
            tests: BTreeMap::new(),
            compiled: false,
        }
    }

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
    if let Some(run) = replay::spec(root, package, filter, containers) {
        return Ok(run);
    }
    // `-vv`: cargo prints each command it runs, for the record the next run replays.
    let mut args = vec![
        "test", "-vv", "-p", package, "--lib", "--", "--format", "pretty",
    ];
    if !filter.is_empty() {
        args.push(filter);
    }
    let mut cmd = command(root, &args);
    containers.apply(&mut cmd);
    let started = SystemTime::now();
    let output = cmd
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    replay::record(root, package, &stderr, started);
    let run = SpecRun::from_stdout(&String::from_utf8_lossy(&output.stdout));
    if !run.compiled {
        let messages: Vec<&str> = stderr.lines().filter(|l| !is_progress(l)).collect();
        print_first_error(&messages.join("\n"), package);
        if stderr.contains("only shows up once") {
            eprintln!(
                "\nThe spec links Rust's standard library dynamically (`-C prefer-dynamic`, .cargo/config.toml). \
                 RUSTFLAGS or CARGO_ENCODED_RUSTFLAGS, when set, replace that setting: add `-C prefer-dynamic` to them, or unset them."
            );
        }
    }
    Ok(run)
}

/// Prints the first error of the compiler's `messages` (with its file and
/// line), not pages of them: the first is the one to fix, and the others often
/// follow from it. Says how many more there are, and how to see them.
pub fn print_first_error(messages: &str, package: &str) {
    let (first, more) = first_error(messages);
    eprintln!("{}", first.trim_end());
    if more > 0 {
        eprintln!(
            "\n({more} more error{}: `cargo test -p {package} --lib --no-run` shows them all)",
            if more == 1 { "" } else { "s" }
        );
    }
}

/// The first error block of the compiler's output and how many other errors
/// follow. A block starts at a line that begins with `error` or `warning`;
/// cargo's and rustc's closing lines (`could not compile`, `aborting`) are
/// not errors of their own. With no block found, the whole text.
fn first_error(messages: &str) -> (String, usize) {
    let closing =
        |l: &str| l.starts_with("error: could not compile") || l.starts_with("error: aborting");
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for line in messages.lines() {
        if line.starts_with("error") || line.starts_with("warning") {
            blocks.push(Vec::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push(line);
        }
    }
    let errors: Vec<_> = blocks
        .iter()
        .filter(|b| b[0].starts_with("error") && !closing(b[0]))
        .collect();
    match errors.first() {
        Some(first) => (first.join("\n"), errors.len() - 1),
        None => (messages.to_string(), 0),
    }
}

/// A line of cargo's progress in verbose mode (`Fresh`, `Compiling`, the
/// commands it runs, the failed command it repeats after "Caused by:"), as
/// opposed to the compiler's messages.
fn is_progress(line: &str) -> bool {
    if line == "Caused by:" || line.starts_with("  process didn't exit successfully") {
        return true;
    }
    let indented = line.starts_with("    ");
    let verb = line.trim_start().split(' ').next().unwrap_or("");
    indented
        && matches!(
            verb,
            "Fresh" | "Dirty" | "Compiling" | "Running" | "Finished" | "Executable" | "Blocking"
        )
}

/// A test target built without running it: its executable, and its package's
/// folder, where cargo would run it.
#[derive(Debug, PartialEq)]
pub struct TestBinary {
    pub executable: PathBuf,
    pub dir: PathBuf,
}

impl TestBinary {
    /// A command that runs the binary as `cargo test` would: in its package's
    /// folder, with the dynamic libraries it links (a module's, Rust's standard
    /// library) on the loader's path.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.executable);
        cmd.current_dir(&self.dir);
        let deps = self.executable.parent().map(Path::to_path_buf);
        let (var, rust_libs) = (library_path_var(), rust_library_dir());
        let old = std::env::var_os(var);
        let dirs = deps
            .into_iter()
            .chain(rust_libs)
            .chain(old.iter().flat_map(std::env::split_paths));
        if let Ok(joined) = std::env::join_paths(dirs) {
            cmd.env(var, joined);
        }
        cmd
    }
}

/// The variable the system's loader searches for dynamic libraries.
fn library_path_var() -> &'static str {
    if cfg!(windows) {
        "PATH"
    } else if cfg!(target_os = "macos") {
        "DYLD_FALLBACK_LIBRARY_PATH"
    } else {
        "LD_LIBRARY_PATH"
    }
}

/// Where the toolchain keeps Rust's standard library as a dynamic library.
fn rust_library_dir() -> Option<PathBuf> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "target-libdir"])
        .output()
        .ok()?;
    let dir = String::from_utf8(output.stdout).ok()?;
    output.status.success().then(|| PathBuf::from(dir.trim()))
}

/// Builds one test target of `package` once (`cargo test --no-run`), so that
/// it can be run many times without asking cargo again: `target` is `--lib`
/// (the spec) or `--test <name>`. `None` when it did not compile, after
/// printing the compiler's errors.
pub fn build_test(
    root: &Path,
    package: &str,
    target: &[&str],
) -> anyhow::Result<Option<TestBinary>> {
    let mut args = vec!["test", "-p", package, "--no-run", "--message-format=json"];
    args.extend_from_slice(target);
    let output = command(root, &args).stdout(Stdio::piped()).output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if let Some(binary) = test_binary(&stdout).filter(|_| output.status.success()) {
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

/// The executable of the one test target built, in cargo's JSON messages:
/// the `compiler-artifact` built as a test.
pub fn test_binary(json_lines: &str) -> Option<TestBinary> {
    json_lines.lines().find_map(|line| {
        let message = serde_json::from_str::<serde_json::Value>(line).ok()?;
        if message["reason"] != "compiler-artifact" || message["profile"]["test"] != true {
            return None;
        }
        let executable = PathBuf::from(message["executable"].as_str()?);
        let dir = Path::new(message["manifest_path"].as_str()?)
            .parent()?
            .to_path_buf();
        Some(TestBinary { executable, dir })
    })
}

/// A test's name without the module it sits in (`spec::e01_1_x` is
/// `e01_1_x`): the spec's tests are named by exercise, whatever module holds them.
fn test_name(path: &str) -> String {
    let path = path.trim();
    path.rsplit_once("::")
        .map_or(path, |(_, name)| name)
        .to_string()
}

/// Reads libtest's plain report: `test NAME ... ok|FAILED` lines and the
/// `---- NAME stdout ----` sections of the failures.
pub fn parse_libtest(stdout: &str) -> BTreeMap<String, TestOutcome> {
    let mut tests = BTreeMap::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, verdict)) = rest.rsplit_once(" ... ")
        {
            let passed = verdict.trim() == "ok";
            if passed || verdict.trim() == "FAILED" {
                tests.insert(
                    test_name(name),
                    TestOutcome {
                        passed,
                        output: String::new(),
                    },
                );
            }
        }
    }
    let mut current: Option<String> = None;
    for line in stdout.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = Some(test_name(name));
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
    // The spec frames its message in the student's language; the runner finds
    // the frame in whichever catalogue's words it is written.
    for (lang, _) in racecourse_i18n::CATALOGUES {
        let opening = racecourse_i18n::text_in(lang, "spec-not-passing", &[]);
        let file = racecourse_i18n::text_in(lang, "spec-file-to-edit", &[("file", "".into())]);
        let closing = file.trim();
        if let (Some(start), Some(end)) = (output.find(&opening), output.find(closing))
            && start < end
        {
            let body = &output[start + opening.len()..end];
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
    ["PostgreSQL", "Redis", "RabbitMQ"]
        .into_iter()
        .find(|name| {
            racecourse_i18n::CATALOGUES.iter().any(|(lang, _)| {
                let missing =
                    racecourse_i18n::text_in(lang, "service-missing", &[("name", (*name).into())]);
                output.contains(&missing)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\nrunning 2 tests\ntest spec::e01_1_a ... ok\ntest spec::e01_1_b ... FAILED\n\nfailures:\n\n---- spec::e01_1_b stdout ----\n\nthread 'x' panicked at modules/kit/src/spec.rs:27:9:\n\n01.1 Lost-update counter: not passing yet\n\n  expected 100000, got 3\n\n  file to edit: exercises/01-concurrency/src/counter.rs\n\n\nfailures:\n    e01_1_b\n\ntest result: FAILED. 1 passed; 1 failed\n";

    #[test]
    fn keeps_the_first_error_only() {
        let messages = "warning: unused import\n --> src/a.rs:1:5\n\nerror: expected `;`\n --> src/counter.rs:12:9\n   |\n\nerror[E0425]: cannot find value `x`\n --> src/counter.rs:20:1\n\nerror: aborting due to 2 previous errors\nerror: could not compile `x` (lib test) due to 2 previous errors";
        let (first, more) = first_error(messages);
        assert_eq!(
            first.trim_end(),
            "error: expected `;`\n --> src/counter.rs:12:9\n   |"
        );
        assert_eq!(more, 1);
        assert_eq!(
            first_error("no block here"),
            ("no block here".to_string(), 0)
        );
    }

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
            r#"{"reason":"compiler-artifact","package_id":"path+file:///r/modules/kit#racecourse-kit@0.1.0","manifest_path":"/r/modules/kit/Cargo.toml","target":{"kind":["lib"],"name":"racecourse_kit"},"profile":{"test":false},"executable":null,"fresh":true}"#,
            "not json",
            r#"{"reason":"compiler-artifact","manifest_path":"/r/exercises/01-concurrency/Cargo.toml","target":{"kind":["lib"],"name":"racecourse_01_exercises"},"profile":{"test":true},"executable":"/r/target/debug/deps/racecourse_01_exercises-0123abcd","fresh":false}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            test_binary(&messages),
            Some(TestBinary {
                executable: "/r/target/debug/deps/racecourse_01_exercises-0123abcd".into(),
                dir: "/r/exercises/01-concurrency".into(),
            })
        );
        assert_eq!(
            test_binary(r#"{"reason":"build-finished","success":false}"#),
            None
        );
    }
}
