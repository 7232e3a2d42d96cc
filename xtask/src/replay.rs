//! The fast path of a spec run: after a student's edit, run again the
//! compiler command cargo last ran for the spec (the exercise crate with its
//! unit tests, which are the spec), then the test binary, without asking cargo.
//!
//! Why: before it builds anything, cargo checks every crate of the graph for
//! changes, about 400 of them, and that check took 0.2 s of a loop that must
//! stay under rustlings' 0.36 s (ARCHITECTURE.md, "Notes on speed").
//!
//! Why it is safe: a record is used only when nothing but the crate's own
//! sources changed since cargo wrote it: no other file of the repository
//! (manifests, the lock file, the module's spec, the kit), not the toolchain,
//! not the variables that steer cargo and rustc. Anything else, or a record
//! not yet complete, and the run goes through cargo, which records again. The
//! commands are cargo's own, word for word, so they build what cargo would;
//! and cargo, when it next runs, sees sources newer than its own records and
//! builds them again itself, so it never trusts an artifact it did not make.
//!
//! The commands come from `cargo test -vv`, which prints each command it runs,
//! with the variables it sets, as a shell line.

use crate::cargo::SpecRun;
use crate::containers::Containers;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The compiler commands and the test run cargo used for one package's spec.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Record {
    /// When cargo started the build the commands come from: a file changed
    /// after that may not be in it.
    started: Duration,
    /// The variables that steer cargo and rustc when the record was made.
    steering: Vec<(String, String)>,
    /// How cargo compiled the package's library as its unit tests (the spec).
    compile: Option<Step>,
    /// How cargo ran the test binary.
    run: Option<Step>,
}

/// One command: the variables cargo set, the program and its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    env: Vec<(String, String)>,
    program: String,
    args: Vec<String>,
}

/// The record's file for `package`.
fn path(root: &Path, package: &str) -> PathBuf {
    root.join("target/racecourse/replay")
        .join(format!("{package}.json"))
}

/// Runs the spec of `package` from its record, when the record is complete
/// and still true; `None` sends the caller to cargo. `filter` and
/// `containers` are as for [`crate::cargo::spec`].
pub fn spec(root: &Path, package: &str, filter: &str, containers: &Containers) -> Option<SpecRun> {
    let record = load(root, package)?;
    let (compile, run) = (record.compile.as_ref()?, record.run.as_ref()?);
    if toolchain_changed(compile, record.made()) {
        return None;
    }
    if compile.stale(root) && !compile.compile(root).ok()? {
        return Some(SpecRun::not_compiled());
    }
    let mut cmd = Command::new(&run.program);
    cmd.args(["--format", "pretty"]);
    if !filter.is_empty() {
        cmd.arg(filter);
    }
    let dir = run.var("CARGO_MANIFEST_DIR")?;
    cmd.current_dir(dir)
        .envs(run.env.iter().map(|(k, v)| (k, v)))
        .env("RUST_BACKTRACE", "0");
    containers.apply(&mut cmd);
    let output = cmd.output().ok()?;
    Some(SpecRun::from_stdout(&String::from_utf8_lossy(
        &output.stdout,
    )))
}

/// The record of `package`, if it is still true: made under the same
/// variables, and no file but the sources it compiles changed since.
fn load(root: &Path, package: &str) -> Option<Record> {
    if cfg!(windows) {
        return None; // cargo quotes its commands for cmd.exe there: not read here
    }
    let record: Record = serde_json::from_slice(&std::fs::read(path(root, package)).ok()?).ok()?;
    let sources: BTreeSet<PathBuf> = record
        .compile
        .iter()
        .flat_map(|s| s.sources(root))
        .collect();
    let true_still = record.steering == steering()
        && !sources.is_empty()
        && !changed_since(root, record.made(), &sources);
    true_still.then_some(record)
}

/// Keeps what `cargo test -vv`, started at `started`, printed on `stderr` for
/// `package`: the command it compiled the spec with, and how it ran it. A
/// command cargo did not need to run this time is kept from the last record
/// only when that record is still true.
pub fn record(root: &Path, package: &str, stderr: &str, started: SystemTime) {
    if cfg!(windows) {
        return;
    }
    let mut record = load(root, package).unwrap_or_default();
    record.steering = steering();
    record.started = started.duration_since(UNIX_EPOCH).unwrap_or_default();
    let library_name = package.replace('-', "_");
    for step in stderr.lines().filter_map(Step::parse) {
        if step.var("CARGO_PKG_NAME") != Some(package) {
            continue;
        }
        match step.flag("--crate-name") {
            Some(name) if name == library_name && step.args.iter().any(|a| a == "--test") => {
                record.compile = Some(step)
            }
            Some(_) => {}
            None if step.runs_tests_of(&library_name) => record.run = Some(step),
            None => {}
        }
    }
    let file = path(root, package);
    let Ok(json) = serde_json::to_vec_pretty(&record) else {
        return;
    };
    // Without a record the next run goes through cargo: nothing is lost.
    let _ = std::fs::create_dir_all(file.parent().expect("the record's folder"));
    let _ = std::fs::write(&file, json);
}

impl Record {
    fn made(&self) -> SystemTime {
        UNIX_EPOCH + self.started
    }
}

impl Step {
    /// One `Running `...`` line of `cargo -vv`.
    fn parse(line: &str) -> Option<Step> {
        let quoted = line
            .trim_start()
            .strip_prefix("Running `")?
            .strip_suffix('`')?;
        let mut words = split_shell(quoted).into_iter().peekable();
        let mut env = Vec::new();
        while let Some((name, value)) = words.peek().and_then(|w| assignment(w)) {
            env.push((name, value));
            words.next();
        }
        let program = words.next()?;
        Some(Step {
            env,
            program,
            args: words.collect(),
        })
    }

    /// True for the run of the unit tests of crate `name` (`.../deps/<name>-<hash>`).
    fn runs_tests_of(&self, name: &str) -> bool {
        Path::new(&self.program)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with('-'))
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value after `flag` among the arguments.
    fn flag(&self, flag: &str) -> Option<&str> {
        let at = self.args.iter().position(|a| a == flag)?;
        self.args.get(at + 1).map(String::as_str)
    }

    /// The test binary this compiler command writes, and its dep-info file
    /// (which lists the sources it read).
    fn outputs(&self, root: &Path) -> Option<(PathBuf, PathBuf)> {
        let dir = root.join(self.flag("--out-dir")?);
        let stem = format!(
            "{}{}",
            self.flag("--crate-name")?,
            self.args
                .iter()
                .find_map(|a| a.strip_prefix("extra-filename="))
                .unwrap_or("")
        );
        Some((
            dir.join(format!("{stem}{}", std::env::consts::EXE_SUFFIX)),
            dir.join(format!("{stem}.d")),
        ))
    }

    /// The sources the last build of this command read, from its dep-info.
    fn sources(&self, root: &Path) -> Vec<PathBuf> {
        let Some((_, depinfo)) = self.outputs(root) else {
            return Vec::new();
        };
        let Ok(text) = std::fs::read_to_string(depinfo) else {
            return Vec::new();
        };
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(": "))
            .flat_map(|(_, deps)| split_depinfo(deps))
            .map(|p| root.join(p))
            .collect()
    }

    /// True when a source is newer than the output, or there is no output.
    fn stale(&self, root: &Path) -> bool {
        let Some(built) = self.outputs(root).and_then(|(output, _)| modified(&output)) else {
            return true;
        };
        self.sources(root)
            .iter()
            .any(|s| modified(s).is_none_or(|m| m > built))
    }

    /// Runs the compiler command. Its diagnostics come as JSON, as cargo asked
    /// for them: the rendered text of each is printed, as cargo would.
    fn compile(&self, root: &Path) -> std::io::Result<bool> {
        let output = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()?;
        if !output.status.success() {
            let mut messages = String::new();
            for line in String::from_utf8_lossy(&output.stderr).lines() {
                match serde_json::from_str::<serde_json::Value>(line) {
                    Ok(message) => messages
                        .push_str(&without_colour(message["rendered"].as_str().unwrap_or(""))),
                    Err(_) => {
                        messages.push_str(line);
                        messages.push('\n');
                    }
                }
            }
            let package = self
                .var("CARGO_PKG_NAME")
                .unwrap_or("the exercises' package");
            crate::cargo::print_first_error(&messages, package);
        }
        Ok(output.status.success())
    }
}

/// `text` without its ANSI colour codes (`ESC [ ... m`): cargo asked the
/// compiler for coloured messages, and the runner reads them as text.
fn without_colour(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            plain.push(c);
        }
    }
    plain
}

/// `NAME=value` before the program, in cargo's shell line.
fn assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    is_name.then(|| (name.to_string(), value.to_string()))
}

/// Splits a POSIX shell line as cargo quotes it: words apart on spaces,
/// `'...'` taken literally, `\x` as `x`.
fn split_shell(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                w.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The paths of a dep-info line: apart on spaces, `\ ` inside a path.
fn split_depinfo(deps: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut path = String::new();
    let mut chars = deps.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => path.extend(chars.next()),
            ' ' if !path.is_empty() => paths.push(std::mem::take(&mut path)),
            ' ' => {}
            c => path.push(c),
        }
    }
    if !path.is_empty() {
        paths.push(path);
    }
    paths
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The variables that change what cargo and rustc build, sorted. A named
/// list: variables that only say how the runner was started (rustup's, `cargo
/// run`'s, which an installed `racecourse` does not have) must not make a
/// record look stale. A new toolchain shows in the compiler's file instead.
fn steering() -> Vec<(String, String)> {
    const NAMES: [&str; 7] = [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_INCREMENTAL",
    ];
    let mut vars: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| {
            NAMES.contains(&k.as_str())
                || ["CARGO_BUILD_", "CARGO_PROFILE_", "CARGO_TARGET_"]
                    .iter()
                    .any(|p| k.starts_with(p))
        })
        .collect();
    vars.sort();
    vars
}

/// True when a file of the repository other than `sources` changed after
/// `made`: a manifest, the lock file, course.toml, another crate, the config.
/// `target/`, `.git/` and the book cannot change a build and are skipped.
fn changed_since(root: &Path, made: SystemTime, sources: &BTreeSet<PathBuf>) -> bool {
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return true;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                return true;
            };
            if kind.is_dir() {
                let skipped = dir == root
                    && matches!(entry.file_name().to_str(), Some("target" | ".git" | "book"));
                if !skipped {
                    dirs.push(path);
                }
            } else if !sources.contains(&path)
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|m| m > made)
            {
                return true;
            }
        }
    }
    false
}

/// True when the compiler, or cargo's own configuration in CARGO_HOME, is
/// newer than the record (a `rustup update`, a new config).
fn toolchain_changed(step: &Step, made: SystemTime) -> bool {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let mut files = vec![PathBuf::from(&step.program)];
    files.extend(home.map(|h| h.join("config.toml")));
    files.iter().any(|f| modified(f).is_some_and(|m| m > made))
        || modified(Path::new(&step.program)).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargos_command_lines() {
        let line = "     Running `CARGO_PKG_NAME=racecourse-01-exercises CARGO_PKG_AUTHORS='' LD_LIBRARY_PATH='/r/target/debug/deps:/t/lib' /t/bin/rustc --crate-name racecourse_01_exercises --check-cfg 'cfg(docsrs,test)' -C extra-filename=-0a1b --out-dir /r/target/debug/deps --test`";
        let step = Step::parse(line).expect("a command");
        assert_eq!(step.var("CARGO_PKG_NAME"), Some("racecourse-01-exercises"));
        assert_eq!(step.var("CARGO_PKG_AUTHORS"), Some(""));
        assert_eq!(
            step.var("LD_LIBRARY_PATH"),
            Some("/r/target/debug/deps:/t/lib")
        );
        assert_eq!(step.program, "/t/bin/rustc");
        assert_eq!(step.flag("--check-cfg"), Some("cfg(docsrs,test)"));
        let (output, depinfo) = step.outputs(Path::new("/r")).expect("outputs");
        assert_eq!(
            output,
            Path::new("/r/target/debug/deps/racecourse_01_exercises-0a1b")
        );
        assert_eq!(
            depinfo,
            Path::new("/r/target/debug/deps/racecourse_01_exercises-0a1b.d")
        );
        assert_eq!(Step::parse("   Compiling racecourse-kit v0.1.0"), None);
    }

    #[test]
    fn splits_quoted_words_and_depinfo_paths() {
        assert_eq!(split_shell(r"a 'b c' d\'e ''"), ["a", "b c", "d'e", ""]);
        assert_eq!(
            split_depinfo(r"src/a.rs my\ dir/b.rs "),
            ["src/a.rs", "my dir/b.rs"]
        );
        assert_eq!(
            assignment("CARGO_PKG_NAME=x=y"),
            Some(("CARGO_PKG_NAME".into(), "x=y".into()))
        );
        assert_eq!(assignment("--cfg=x"), None);
        assert_eq!(
            without_colour("\u{1b}[1m\u{1b}[91merror\u{1b}[0m: x"),
            "error: x"
        );
    }
}
