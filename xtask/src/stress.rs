//! `cargo xtask stress <id> [--runs N] [--impl ...]`: one exercise's spec run
//! many times, several at once, against the student's code, the solution, or a
//! suspect of the module's gallery (the naive code, a wrong fix). A race shows
//! only sometimes: one passing run proves little, fifty say much more.

use crate::cargo::{self, TestBinary};
use crate::containers::Containers;
use crate::{Ctx, gallery};
use racecourse_manifest::{Exercise, Side};
use std::io::Write;
use std::process::Output;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// What runs: the spec on one side, or a suspect of the gallery by name.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Spec(Side),
    Suspect(String),
}

impl Subject {
    fn parse(name: &str) -> Subject {
        match name {
            "exercise" => Subject::Spec(Side::Exercises),
            "solution" => Subject::Spec(Side::Solutions),
            other => Subject::Suspect(other.to_string()),
        }
    }

    /// `exercise`, `solution`, `naive`, `positive-check`: what `--impl` took.
    fn name(&self) -> &str {
        match self {
            Subject::Spec(Side::Exercises) => "exercise",
            Subject::Spec(Side::Solutions) => "solution",
            Subject::Suspect(name) => name,
        }
    }
}

/// One run's verdict: whether the spec passed, and if not, what it said.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub passed: bool,
    pub message: String,
}

pub fn run(ctx: &Ctx, id: &str, runs: u32, implementation: &str) -> anyhow::Result<()> {
    let exercise = ctx.exercise(id)?;
    if runs == 0 {
        anyhow::bail!("--runs takes a positive number of runs, not 0");
    }
    let module = ctx.course.module_of(exercise);
    let subject = Subject::parse(implementation);
    let (package, target) = match &subject {
        Subject::Spec(Side::Exercises) => (&module.exercises_package, &["--lib"][..]),
        Subject::Spec(Side::Solutions) => (&module.solutions_package, &["--lib"][..]),
        Subject::Suspect(_) => (&module.package, &["--test", "gallery"][..]),
    };
    println!("{} {}  ({})", exercise.id, exercise.title, exercise.store());
    if let Subject::Spec(side) = subject {
        println!("  code: {}", ctx.course.file_of(exercise, side));
    }
    let Some(binary) = cargo::build_test(&ctx.root, package, target)? else {
        let what = match &subject {
            Subject::Spec(side) => ctx.course.file_of(exercise, *side),
            Subject::Suspect(_) => format!("{package}'s gallery"),
        };
        anyhow::bail!("{what} does not compile: the errors are above");
    };
    let args = match &subject {
        Subject::Spec(_) => {
            check_spec_has_tests(&binary, exercise)?;
            vec![exercise.tests.clone(), "--format".into(), "pretty".into()]
        }
        Subject::Suspect(name) => {
            let suspect = find_suspect(&binary, exercise, name)?;
            println!("  {name}: {}", suspect.title);
            vec!["--once".into(), suspect.id()]
        }
    };

    let containers = Containers::provide(&ctx.root, exercise.services.iter().map(String::as_str))?;
    let at_once = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(runs as usize);
    println!(
        "$ {} {}  ({runs} runs, {at_once} at once)",
        binary.executable.display(),
        args.join(" ")
    );
    let outcomes = repeat(runs, at_once, || {
        let mut cmd = binary.command();
        cmd.args(&args).env("RUST_BACKTRACE", "0");
        containers.apply(&mut cmd);
        let output = cmd.output()?;
        Ok(match &subject {
            Subject::Spec(_) => spec_outcome(&output, &exercise.tests),
            Subject::Suspect(_) => suspect_outcome(&output),
        })
    })?;
    drop(containers);

    let failed = outcomes.iter().filter(|o| !o.passed).count() as u32;
    println!(
        "\n{}",
        summary(&format!("{} {}", exercise.id, subject.name()), runs, failed)
    );
    if let Some(first) = outcomes.iter().find(|o| !o.passed) {
        println!("the first failure:");
        for line in first.message.lines() {
            println!("    {line}");
        }
    }
    let service = outcomes
        .iter()
        .find_map(|o| cargo::missing_service(&o.message));
    if let Some(service) = service {
        anyhow::bail!("{service} is missing: `cargo xtask services` says how to get one");
    }
    let (expected, line) = verdict(&subject, runs, failed);
    println!("{line}");
    if !expected {
        std::process::exit(1);
    }
    Ok(())
}

/// Fails, in one line, when no test of the spec starts with the exercise's prefix.
fn check_spec_has_tests(binary: &TestBinary, exercise: &Exercise) -> anyhow::Result<()> {
    let output = binary
        .command()
        .args([exercise.tests.as_str(), "--list"])
        .output()?;
    let listed = String::from_utf8_lossy(&output.stdout);
    if !listed.lines().any(|l| l.ends_with(": test")) {
        anyhow::bail!(
            "no spec test starts with {} (course.toml's `tests` for {})",
            exercise.tests,
            exercise.id
        );
    }
    Ok(())
}

/// The suspect `name` of the exercise, from the gallery's `--list`, or an
/// error naming every implementation there is for it.
fn find_suspect(
    binary: &TestBinary,
    exercise: &Exercise,
    name: &str,
) -> anyhow::Result<gallery::Suspect> {
    let output = binary.command().arg("--list").output()?;
    if !output.status.success() {
        anyhow::bail!(
            "the gallery's --list failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let suspects: Vec<_> = gallery::parse_list(&String::from_utf8_lossy(&output.stdout))
        .into_iter()
        .filter(|s| s.exercise == exercise.id)
        .collect();
    if let Some(suspect) = suspects.iter().find(|s| s.name == name) {
        return Ok(suspect.clone());
    }
    let mut names = vec!["exercise", "solution"];
    names.extend(suspects.iter().map(|s| s.name.as_str()));
    anyhow::bail!(
        "{} has no implementation `{name}`; there are {}",
        exercise.id,
        names.join(", ")
    )
}

/// Runs `one` `runs` times, `at_once` at a time, printing a `.` for each run
/// that passed and an `F` for each that failed as it finishes.
fn repeat(
    runs: u32,
    at_once: usize,
    one: impl Fn() -> std::io::Result<RunOutcome> + Sync,
) -> anyhow::Result<Vec<RunOutcome>> {
    let next = AtomicU32::new(0);
    let stop = AtomicBool::new(false);
    let done = Mutex::new(Vec::new());
    let error = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..at_once {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) && next.fetch_add(1, Ordering::Relaxed) < runs {
                    match one() {
                        Ok(outcome) => {
                            let mut done = done.lock().unwrap();
                            print!("{}", if outcome.passed { '.' } else { 'F' });
                            done.push(outcome);
                            if done.len() % 50 == 0 {
                                println!();
                            }
                            let _ = std::io::stdout().flush();
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            error.lock().unwrap().get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap() {
        anyhow::bail!("could not start the test binary: {e}");
    }
    Ok(done.into_inner().unwrap())
}

/// A run of the spec's binary: passed when libtest exited successfully; the
/// message is the first failing check's explanation.
fn spec_outcome(output: &Output, prefix: &str) -> RunOutcome {
    if output.status.success() {
        return RunOutcome {
            passed: true,
            message: String::new(),
        };
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tests = cargo::parse_libtest(&stdout);
    let message = match tests.iter().find(|(_, o)| !o.passed) {
        Some((name, outcome)) => format!(
            "{}: {}",
            name.trim_start_matches(prefix),
            cargo::explanation(&outcome.output).trim()
        ),
        None => stopped(output),
    };
    RunOutcome {
        passed: false,
        message,
    }
}

/// A run of the gallery's `--once`: 0 when every check passed, 1 with the
/// failures on stdout when the spec caught the suspect.
fn suspect_outcome(output: &Output) -> RunOutcome {
    match output.status.code() {
        Some(0) => RunOutcome {
            passed: true,
            message: String::new(),
        },
        Some(1) => RunOutcome {
            passed: false,
            message: String::from_utf8_lossy(&output.stdout).trim().to_string(),
        },
        _ => RunOutcome {
            passed: false,
            message: stopped(output),
        },
    }
}

/// A binary that ended without a verdict (a crash, a signal): how, and the
/// last lines it printed.
fn stopped(output: &Output) -> String {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = all.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(15)..].join("\n");
    format!(
        "the test binary stopped without a verdict ({}):\n{tail}",
        output.status
    )
}

/// `01.4 naive: 50 runs, 0 passed, 50 failed (failure rate 100%)`.
pub fn summary(label: &str, runs: u32, failed: u32) -> String {
    // Whole percents, never rounded to 0% or 100% when it is not all or none.
    let rate = match failed {
        0 => 0,
        f if f == runs => 100,
        f => (f64::from(f) * 100.0 / f64::from(runs))
            .round()
            .clamp(1.0, 99.0) as u32,
    };
    format!(
        "{label}: {runs} runs, {} passed, {failed} failed (failure rate {rate}%)",
        runs - failed
    )
}

/// Whether the runs went as they should (the spec passes every run on a
/// right implementation and fails every run on a wrong one), and the line
/// that says so.
pub fn verdict(subject: &Subject, runs: u32, failed: u32) -> (bool, String) {
    match subject {
        Subject::Spec(_) if failed == 0 => (true, format!("solid: passed {runs} of {runs} runs")),
        Subject::Spec(_) if failed < runs => (
            false,
            format!(
                "lucky: failed {failed} of {runs} runs: a race the spec catches only sometimes \
                 is still a race; the message above says what went wrong"
            ),
        ),
        Subject::Spec(_) => (
            false,
            format!(
                "failing: failed {runs} of {runs} runs: not bad luck, the message above says \
                 what went wrong"
            ),
        ),
        Subject::Suspect(_) if failed == runs => (true, format!("caught in {runs} of {runs} runs")),
        Subject::Suspect(name) => (
            false,
            format!(
                "NOT CAUGHT in {} of {runs} runs: the spec is too weak for {}",
                runs - failed,
                if name == "naive" {
                    "the naive code"
                } else {
                    "this wrong fix"
                }
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive() -> Subject {
        Subject::Suspect("naive".into())
    }

    #[test]
    fn summary_counts_and_rates() {
        assert_eq!(
            summary("01.4 naive", 50, 50),
            "01.4 naive: 50 runs, 0 passed, 50 failed (failure rate 100%)"
        );
        assert_eq!(
            summary("01.1 exercise", 20, 0),
            "01.1 exercise: 20 runs, 20 passed, 0 failed (failure rate 0%)"
        );
        assert!(summary("x", 3, 1).ends_with("(failure rate 33%)"));
        assert!(summary("x", 1000, 1).ends_with("(failure rate 1%)"));
        assert!(summary("x", 1000, 999).ends_with("(failure rate 99%)"));
    }

    #[test]
    fn a_right_implementation_must_pass_every_run() {
        let exercise = Subject::parse("exercise");
        assert_eq!(exercise, Subject::Spec(Side::Exercises));
        assert_eq!(
            verdict(&exercise, 50, 0),
            (true, "solid: passed 50 of 50 runs".to_string())
        );
        let (ok, line) = verdict(&Subject::parse("solution"), 50, 3);
        assert!(!ok);
        assert!(line.starts_with("lucky: failed 3 of 50 runs: a race"));
        let (ok, line) = verdict(&exercise, 5, 5);
        assert!(!ok);
        assert!(line.starts_with("failing: failed 5 of 5 runs"));
    }

    #[test]
    fn a_wrong_implementation_must_be_caught_every_run() {
        assert_eq!(
            verdict(&naive(), 50, 50),
            (true, "caught in 50 of 50 runs".to_string())
        );
        assert_eq!(
            verdict(&Subject::parse("positive-check"), 50, 48),
            (
                false,
                "NOT CAUGHT in 2 of 50 runs: the spec is too weak for this wrong fix".to_string()
            )
        );
        assert!(
            verdict(&naive(), 3, 0)
                .1
                .ends_with("too weak for the naive code")
        );
    }

    #[cfg(unix)]
    #[test]
    fn reads_a_suspects_single_run() {
        use std::os::unix::process::ExitStatusExt;
        let output = |code: i32, stdout: &str| Output {
            status: std::process::ExitStatus::from_raw(code << 8),
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
        };
        assert!(suspect_outcome(&output(0, "01.1/naive: every check passed\n")).passed);
        let caught = suspect_outcome(&output(
            1,
            "locked_counter_loses_nothing: 5 increments lost\n",
        ));
        assert!(!caught.passed);
        assert_eq!(
            caught.message,
            "locked_counter_loses_nothing: 5 increments lost"
        );
        assert!(!suspect_outcome(&output(2, "")).passed);
    }
}
