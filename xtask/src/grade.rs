//! `cargo xtask grade`: the instructor's grader. It takes from each student's
//! checkout only the files a student edits (course.toml's `file` of each
//! exercise) and runs the pristine spec of this tree against them, so an edited
//! spec, test, manifest or build script in the checkout changes nothing.
//!
//! The pristine tree is copied into `target/grade/work-N/` (without `target/`
//! and `.git/`), one copy per core at most, each with a target directory of its
//! own: a module's spec links a dynamic library whose file name has no hash, so
//! two copies must never share one. Each copy grades students one after
//! another (overlay the student's files, build, run, put the pristine files
//! back): after the first student, only the exercise crate recompiles.

use crate::Ctx;
use crate::cargo::{self, TestBinary};
use crate::containers::Containers;
use racecourse_manifest::{Exercise, Module, Side};
use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

/// How the grades are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Per student: each exercise, the total, the reasons (first lines).
    Table,
    /// Stable JSON, sorted, without timings or absolute paths.
    Json,
    /// JUnit XML: a testsuite per student, a testcase per exercise.
    Junit,
}

/// One student's grades.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The checkout's folder name.
    pub student: String,
    pub total: u32,
    pub max: u32,
    pub exercises: Vec<Grade>,
}

/// One exercise's grade: its points only when every check of its spec passed.
#[derive(Debug, Serialize)]
pub struct Grade {
    pub id: String,
    pub title: String,
    pub passed: bool,
    pub points: u32,
    pub max: u32,
    /// Why it did not pass: a failed check and its explanation, or why the
    /// file did not compile.
    pub reasons: Vec<String>,
}

pub fn run(
    ctx: &Ctx,
    student: Option<&Path>,
    class: Option<&Path>,
    format: Format,
) -> anyhow::Result<()> {
    let students = match (student, class) {
        (Some(path), None) => vec![checkout(path)?],
        (None, Some(dir)) => class_of(dir)?,
        _ => anyhow::bail!("give one of --student PATH or --class DIR"),
    };
    let started = Instant::now();
    let reports = grade_all(ctx, &students)?;
    eprintln!(
        "graded {} checkout(s) in {:.1} s",
        reports.len(),
        started.elapsed().as_secs_f64()
    );
    let text = match format {
        Format::Table => table(&reports),
        Format::Json => serde_json::to_string_pretty(&reports)? + "\n",
        Format::Junit => junit(&reports),
    };
    print!("{text}");
    Ok(())
}

/// A student's checkout: its name (the folder's) and where it is.
fn checkout(path: &Path) -> anyhow::Result<(String, PathBuf)> {
    if !is_checkout(path) {
        anyhow::bail!(
            "{} is not a course checkout: it has no course.toml and no exercises/ folder",
            path.display()
        );
    }
    let path = path.canonicalize()?;
    let name = path
        .file_name()
        .map_or_else(|| "student".into(), |n| n.to_string_lossy().into_owned());
    Ok((name, path))
}

fn is_checkout(path: &Path) -> bool {
    path.join("course.toml").is_file() || path.join("exercises").is_dir()
}

/// Every checkout in `dir`, by name.
fn class_of(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read the class folder {}: {e}", dir.display()))?;
    let mut students = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() && is_checkout(&path) {
            students.push(checkout(&path)?);
        } else if path.is_dir() {
            eprintln!("skipping {}: not a course checkout", path.display());
        }
    }
    if students.is_empty() {
        anyhow::bail!(
            "{} holds no checkout: each student's checkout is a folder in it with a course.toml or an exercises/ folder",
            dir.display()
        );
    }
    students.sort();
    Ok(students)
}

/// Grades every student, on as many grading copies as there are cores (at
/// most one per student), in the order of `students`.
fn grade_all(ctx: &Ctx, students: &[(String, PathBuf)]) -> anyhow::Result<Vec<Report>> {
    let _turn = take_turn(&ctx.root)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let copies = cores.min(students.len()).max(1);
    let containers = Containers::provide(&ctx.root, ctx.course.services())?;
    let queue: Mutex<VecDeque<usize>> = Mutex::new((0..students.len()).collect());
    let results: Mutex<Vec<Option<Report>>> = Mutex::new(students.iter().map(|_| None).collect());
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..copies)
            .map(|n| {
                let (queue, results, containers) = (&queue, &results, &containers);
                scope.spawn(move || -> anyhow::Result<()> {
                    let copy = WorkCopy::prepare(ctx, n)?;
                    loop {
                        let Some(next) = queue.lock().expect("queue").pop_front() else {
                            return Ok(());
                        };
                        let (name, path) = &students[next];
                        let started = Instant::now();
                        let report = copy.grade(ctx, name, path, containers)?;
                        eprintln!(
                            "{name}: {} / {} (work-{n}, {:.1} s)",
                            report.total,
                            report.max,
                            started.elapsed().as_secs_f64()
                        );
                        results.lock().expect("results")[next] = Some(report);
                    }
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("a grading thread panicked"))??;
        }
        Ok(())
    })?;
    Ok(results
        .into_inner()
        .expect("results")
        .into_iter()
        .flatten()
        .collect())
}

/// A lock on `target/grade/lock`, held while grading: two grade runs at once
/// would overlay different students on the same grading copies, so the second
/// waits for the first (the lock goes with the file when this process ends,
/// however it ends).
fn take_turn(root: &Path) -> anyhow::Result<std::fs::File> {
    let dir = root.join("target/grade");
    std::fs::create_dir_all(&dir)?;
    let file = std::fs::File::create(dir.join("lock"))?;
    if file.try_lock().is_err() {
        eprintln!("another `grade` is running on these grading copies: waiting for it to finish");
        file.lock()?;
    }
    Ok(file)
}

/// One grading copy of the pristine course, `target/grade/work-N/`.
struct WorkCopy {
    dir: PathBuf,
    pristine: PathBuf,
}

impl WorkCopy {
    /// Brings `target/grade/work-N/` in line with the pristine tree, writing
    /// only the files that differ, so its build stays fresh between runs.
    fn prepare(ctx: &Ctx, n: usize) -> anyhow::Result<WorkCopy> {
        let dir = ctx
            .root
            .join("target")
            .join("grade")
            .join(format!("work-{n}"));
        std::fs::create_dir_all(&dir)?;
        let copy = WorkCopy {
            dir,
            pristine: ctx.root.clone(),
        };
        copy.sync()?;
        Ok(copy)
    }

    fn target_dir(&self) -> PathBuf {
        self.dir.join("target")
    }

    /// Makes the copy's sources the pristine tree's again: also undoes
    /// anything a student's code wrote into the copy while its tests ran.
    fn sync(&self) -> anyhow::Result<()> {
        let mut kept = BTreeSet::new();
        sync_dir(&self.pristine, &self.dir, Path::new(""), &mut kept)?;
        prune(&self.dir, Path::new(""), &kept)?;
        Ok(())
    }

    /// Grades one checkout, module by module, and leaves the copy pristine.
    fn grade(
        &self,
        ctx: &Ctx,
        name: &str,
        checkout: &Path,
        containers: &Containers,
    ) -> anyhow::Result<Report> {
        self.sync()?;
        let mut exercises = Vec::new();
        for module in &ctx.course.modules {
            let graded = self.grade_module(ctx, module, checkout, containers);
            self.sync()?;
            exercises.extend(graded?);
        }
        Ok(Report {
            student: name.to_string(),
            total: exercises.iter().map(|g| g.points).sum(),
            max: exercises.iter().map(|g| g.max).sum(),
            exercises,
        })
    }

    fn grade_module(
        &self,
        ctx: &Ctx,
        module: &Module,
        checkout: &Path,
        containers: &Containers,
    ) -> anyhow::Result<Vec<Grade>> {
        let exercises: Vec<&Exercise> = ctx.course.exercises_of(module).collect();
        // Overlay the student's files, with those of the earlier exercises
        // their code runs (`builds_on`): only the ones that differ from the stub.
        let mut files: Vec<String> = Vec::new();
        for exercise in &exercises {
            for e in ctx.course.builds_on(exercise).chain([*exercise]) {
                let file = ctx.course.file_of(e, Side::Exercises);
                if !files.contains(&file) {
                    files.push(file);
                }
            }
        }
        let mut overlaid = Vec::new();
        for file in files {
            let Ok(theirs) = std::fs::read(checkout.join(&file)) else {
                continue; // missing: the shipped stub
            };
            if std::fs::read(self.dir.join(&file)).ok().as_deref() != Some(&theirs[..]) {
                std::fs::write(self.dir.join(&file), &theirs)?;
                overlaid.push(file);
            }
        }
        // Build; each file the first error points at goes back to its stub.
        let mut broken: Vec<(String, String)> = Vec::new();
        let binary = loop {
            match self.build(&module.exercises_package)? {
                Ok(binary) => break Some(binary),
                Err(error) => {
                    let blamed = match overlaid.iter().position(|f| error.file == *f) {
                        Some(i) => Some(i),
                        // An error elsewhere (the spec, a macro): blame the
                        // first file still overlaid.
                        None if !overlaid.is_empty() => Some(0),
                        None => None,
                    };
                    let Some(i) = blamed else {
                        break None;
                    };
                    let file = overlaid.remove(i);
                    std::fs::copy(self.pristine.join(&file), self.dir.join(&file))?;
                    broken.push((file, error.to_string()));
                }
            }
        };
        let outcomes = match &binary {
            Some(binary) => self.run_spec(binary, containers)?,
            None => Vec::new(),
        };
        let grades = exercises
            .iter()
            .map(|exercise| {
                let file = ctx.course.file_of(exercise, Side::Exercises);
                let reasons = if let Some((_, error)) = broken.iter().find(|(f, _)| *f == file) {
                    vec![format!("does not compile: {error}")]
                } else if binary.is_none() {
                    vec!["does not compile: the pristine course does not build either".into()]
                } else {
                    reasons(exercise, &outcomes)
                };
                let passed = reasons.is_empty();
                Grade {
                    id: exercise.id.clone(),
                    title: exercise.title.clone(),
                    passed,
                    points: if passed { exercise.points } else { 0 },
                    max: exercise.points,
                    reasons,
                }
            })
            .collect();
        Ok(grades)
    }

    /// Builds the spec of `package` (its unit tests) without running it:
    /// the test binary, or the first compiler error.
    fn build(&self, package: &str) -> anyhow::Result<Result<TestBinary, FirstError>> {
        let output = self
            .cargo(&[
                "test",
                "-p",
                package,
                "--lib",
                "--no-run",
                "--message-format=json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let binary = cargo::test_binary(&stdout).filter(|_| output.status.success());
        if let Some(binary) = binary {
            return Ok(Ok(binary));
        }
        Ok(Err(first_error(&stdout).unwrap_or_else(|| FirstError {
            file: String::new(),
            line: 0,
            detail: String::from_utf8_lossy(&output.stderr)
                .lines()
                .rfind(|l| l.starts_with("error"))
                .unwrap_or("cargo failed without a compiler error")
                .to_string(),
        })))
    }

    /// Runs the pristine spec's tests, and only those: a test a student wrote
    /// in an exercise file never counts.
    fn run_spec(
        &self,
        binary: &TestBinary,
        containers: &Containers,
    ) -> anyhow::Result<Vec<(String, Option<cargo::TestOutcome>)>> {
        let listed = binary
            .command()
            .args(["--list", "--format", "terse"])
            .output()?;
        let names: Vec<String> = String::from_utf8_lossy(&listed.stdout)
            .lines()
            .filter_map(|l| l.strip_suffix(": test"))
            .filter(|name| name.starts_with("spec::"))
            .map(str::to_string)
            .collect();
        let mut cmd = binary.command();
        containers.apply(&mut cmd);
        let output = cmd
            .args(["--format", "pretty", "--exact"])
            .args(&names)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()?;
        let run = cargo::parse_libtest(&String::from_utf8_lossy(&output.stdout));
        Ok(names
            .iter()
            .map(|full| {
                let short = full.trim_start_matches("spec::").to_string();
                let outcome = run.get(&short).cloned();
                (short, outcome)
            })
            .collect())
    }

    /// Cargo in the copy, with the copy's own target directory.
    fn cargo(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(&self.dir)
            .args(args)
            .env("CARGO_TARGET_DIR", self.target_dir())
            .env("CARGO_TERM_COLOR", "never");
        cmd
    }
}

/// Why an exercise's checks did not all pass; empty when they did.
fn reasons(exercise: &Exercise, outcomes: &[(String, Option<cargo::TestOutcome>)]) -> Vec<String> {
    let mine: Vec<_> = outcomes
        .iter()
        .filter(|(name, _)| name.starts_with(&exercise.tests))
        .collect();
    if mine.is_empty() {
        return vec![format!(
            "no spec test starts with {} (course.toml's `tests`)",
            exercise.tests
        )];
    }
    mine.iter()
        .filter_map(|(name, outcome)| {
            let check = name
                .trim_start_matches(exercise.tests.as_str())
                .replace('_', " ");
            match outcome {
                Some(o) if o.passed => None,
                Some(o) => Some(format!("{check}: {}", cargo::explanation(&o.output).trim())),
                None => Some(format!(
                    "{check}: no verdict (the spec stopped before this check finished)"
                )),
            }
        })
        .collect()
}

/// The first error the compiler reported, where it points.
#[derive(Debug)]
struct FirstError {
    /// Relative to the repository root, as cargo gives it for workspace members.
    file: String,
    line: u64,
    /// What cargo said when no compiler message points anywhere.
    detail: String,
}

impl std::fmt::Display for FirstError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.is_empty() {
            write!(f, "{}", self.detail)
        } else {
            write!(f, "first error at {}:{}", self.file, self.line)
        }
    }
}

/// The first compiler error in cargo's JSON messages, at its primary span.
fn first_error(json_lines: &str) -> Option<FirstError> {
    json_lines.lines().find_map(|line| {
        let message = serde_json::from_str::<serde_json::Value>(line).ok()?;
        if message["reason"] != "compiler-message" || message["message"]["level"] != "error" {
            return None;
        }
        let spans = message["message"]["spans"].as_array()?;
        let span = spans
            .iter()
            .find(|s| s["is_primary"] == true)
            .or(spans.first())?;
        Some(FirstError {
            file: span["file_name"].as_str()?.to_string(),
            line: span["line_start"].as_u64()?,
            detail: String::new(),
        })
    })
}

/// Copies `from/rel` into `to/rel` where the content differs, skipping the
/// top level's `target/` and `.git/`; records every path it keeps.
fn sync_dir(
    from: &Path,
    to: &Path,
    rel: &Path,
    kept: &mut BTreeSet<PathBuf>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(to.join(rel))?;
    let mut entries: Vec<_> = std::fs::read_dir(from.join(rel))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let rel = rel.join(entry.file_name());
        if rel == Path::new("target") || rel == Path::new(".git") {
            continue;
        }
        let kind = entry.file_type()?;
        kept.insert(rel.clone());
        if kind.is_dir() {
            sync_dir(from, to, &rel, kept)?;
        } else if kind.is_file() || kind.is_symlink() {
            let Ok(content) = std::fs::read(from.join(&rel)) else {
                continue;
            };
            let dest = to.join(&rel);
            if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
                std::fs::remove_dir_all(&dest)?;
            }
            if std::fs::read(&dest).ok().as_deref() != Some(&content[..]) {
                std::fs::write(&dest, &content)?;
            }
        }
    }
    Ok(())
}

/// Removes what the copy holds and the pristine tree does not, but its `target/`.
fn prune(to: &Path, rel: &Path, kept: &BTreeSet<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(to.join(rel))? {
        let entry = entry?;
        let rel = rel.join(entry.file_name());
        if rel == Path::new("target") {
            continue;
        }
        let kind = entry.file_type()?;
        if !kept.contains(&rel) {
            if kind.is_dir() {
                std::fs::remove_dir_all(entry.path())?;
            } else {
                std::fs::remove_file(entry.path())?;
            }
        } else if kind.is_dir() {
            prune(to, &rel, kept)?;
        }
    }
    Ok(())
}

/// The first line of a reason, for the table.
fn first_line(reason: &str) -> &str {
    reason
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_end()
}

fn table(reports: &[Report]) -> String {
    let mut out = String::new();
    for report in reports {
        out += &format!("{}  {} / {}\n", report.student, report.total, report.max);
        let width = report
            .exercises
            .iter()
            .map(|g| g.title.chars().count())
            .max()
            .unwrap_or(0);
        for grade in &report.exercises {
            let mark = if grade.passed { '✓' } else { '✗' };
            out += &format!(
                "  {mark} {:<5} {:<width$}  {}/{}\n",
                grade.id, grade.title, grade.points, grade.max
            );
        }
        for grade in report.exercises.iter().filter(|g| !g.passed) {
            for reason in &grade.reasons {
                out += &format!("    {}: {}\n", grade.id, first_line(reason).trim_start());
            }
        }
        out.push('\n');
    }
    out
}

fn junit(reports: &[Report]) -> String {
    let tests: usize = reports.iter().map(|r| r.exercises.len()).sum();
    let failures: usize = reports
        .iter()
        .flat_map(|r| &r.exercises)
        .filter(|g| !g.passed)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out += &format!(
        "<testsuites name=\"racecourse grade\" tests=\"{tests}\" failures=\"{failures}\">\n"
    );
    for report in reports {
        let failed = report.exercises.iter().filter(|g| !g.passed).count();
        out += &format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">\n",
            xml(&report.student),
            report.exercises.len()
        );
        out += "    <properties>\n";
        out += &format!(
            "      <property name=\"points\" value=\"{}\"/>\n      <property name=\"max\" value=\"{}\"/>\n",
            report.total, report.max
        );
        out += "    </properties>\n";
        for grade in &report.exercises {
            let name = format!("{} {} ({} points)", grade.id, grade.title, grade.max);
            let attrs = format!(
                "classname=\"{}\" name=\"{}\"",
                xml(&report.student),
                xml(&name)
            );
            if grade.passed {
                out += &format!("    <testcase {attrs}/>\n");
            } else {
                let message = grade
                    .reasons
                    .iter()
                    .map(|r| first_line(r).trim_start())
                    .collect::<Vec<_>>()
                    .join("; ");
                out += &format!("    <testcase {attrs}>\n");
                out += &format!(
                    "      <failure message=\"{}\">{}</failure>\n",
                    xml(&message),
                    xml(&grade.reasons.join("\n\n"))
                );
                out += "    </testcase>\n";
            }
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    out
}

/// Text as XML character data or an attribute value.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&apos;",
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_error_at_its_primary_span() {
        let messages = [
            r#"{"reason":"compiler-artifact","profile":{"test":false}}"#,
            r#"{"reason":"compiler-message","message":{"level":"warning","spans":[{"file_name":"a.rs","line_start":1,"is_primary":true}]}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","spans":[{"file_name":"x.rs","line_start":3,"is_primary":false},{"file_name":"exercises/01-concurrency/src/counter.rs","line_start":12,"is_primary":true}]}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","spans":[{"file_name":"b.rs","line_start":9,"is_primary":true}]}}"#,
        ]
        .join("\n");
        let error = first_error(&messages).expect("an error");
        assert_eq!(
            error.to_string(),
            "first error at exercises/01-concurrency/src/counter.rs:12"
        );
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(xml("a<b & \"c\"\u{1b}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
