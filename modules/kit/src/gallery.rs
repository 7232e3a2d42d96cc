//! The gallery: every module keeps, beside each exercise, the naive code and the
//! wrong fixes students really write (the ones that almost work). A spec that
//! one of them passes cannot tell the race from the fix, so each is a
//! [`Suspect`] that the exercise's spec must catch, on every run.
//!
//! A module's `tests/gallery.rs` is a test binary without libtest
//! (`harness = false`) whose `main` hands its suspects to [`main`]:
//!
//! - `cargo test -p racecourse-NN --test gallery [-- FILTER] [--runs N]`
//!   runs each suspect's checks N times (course.toml's `catch_runs` by default)
//!   and fails unless every run caught it, for the reason its entry names;
//! - `-- --once 01.4/naive` runs the checks once and exits 0 if they all
//!   passed, 1 if the spec failed: what `cargo xtask stress --impl` repeats;
//! - `-- --list` prints one line per suspect: `01.4/naive<TAB>title<TAB>checks`.

use crate::manifest::Course;
use crate::spec::{self, Check};
use std::collections::VecDeque;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

/// A wrong implementation of one exercise, with the spec it must fail.
pub struct Suspect {
    /// The exercise: "01.4".
    pub exercise: &'static str,
    /// `naive`, or the wrong fix's name in kebab case: what `--impl` takes.
    pub name: &'static str,
    /// What it does, in a few words: "read then update".
    pub title: &'static str,
    /// Words the spec's failure must contain (alternatives separated by `|`):
    /// proof that it was caught for the reason it is in the gallery, not by
    /// accident. English words: the gallery runs its specs in English.
    pub expect: &'static str,
    /// The exercise's checks, bound to this implementation.
    pub checks: fn() -> Vec<Check>,
}

impl Suspect {
    /// `01.4/naive`: how the runner and the reports name it.
    pub fn id(&self) -> String {
        format!("{}/{}", self.exercise, self.name)
    }
}

/// What one run of a suspect's checks gave: the failures, by check.
struct RunOutcome {
    failures: Vec<(&'static str, String)>,
}

impl RunOutcome {
    fn of(suspect: &Suspect) -> RunOutcome {
        let failures = (suspect.checks)()
            .into_iter()
            .filter_map(|check| {
                let name = check.name;
                spec::run(suspect.exercise, check)
                    .err()
                    .map(|message| (name, message))
            })
            .collect();
        RunOutcome { failures }
    }

    /// Caught, and for the right reason.
    fn caught(&self, expect: &str) -> bool {
        self.failures
            .iter()
            .any(|(_, m)| expect.split('|').any(|word| m.contains(word)))
    }

    fn report(&self) -> String {
        self.failures
            .iter()
            .map(|(check, message)| format!("{check}: {}", message.trim()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What the command line asked for.
#[derive(Debug, Default, PartialEq)]
struct Args {
    runs: Option<u32>,
    list: bool,
    once: Option<String>,
    filters: Vec<String>,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                let n = args.next().ok_or("--runs takes a number")?;
                parsed.runs = Some(
                    n.parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or(format!("--runs takes a positive number, not {n}"))?,
                );
            }
            "--list" => parsed.list = true,
            "--once" => parsed.once = Some(args.next().ok_or("--once takes 01.4/naive")?),
            // libtest's flags that cargo may pass along, and their values: ignored.
            "--format" | "--test-threads" | "--color" | "--logfile" | "--skip" | "-Z" => {
                args.next();
            }
            flag if flag.starts_with('-') => {}
            filter => parsed.filters.push(filter.to_string()),
        }
    }
    Ok(parsed)
}

/// The `main` of a module's gallery binary.
pub fn main(suspects: Vec<Suspect>) -> ExitCode {
    // Every failure here is expected and reported by its message: the default
    // hook would print each panic and its backtrace as well.
    std::panic::set_hook(Box::new(|_| {}));
    // The suspects' `expect` words are English, whatever the student's locale.
    crate::i18n::use_language("en");
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("gallery: {e}");
            return ExitCode::from(2);
        }
    };
    if args.list {
        for s in &suspects {
            let checks: Vec<&str> = (s.checks)().iter().map(|c| c.name).collect();
            println!("{}\t{}\t{}", s.id(), s.title, checks.join(","));
        }
        return ExitCode::SUCCESS;
    }
    if let Some(id) = &args.once {
        let Some(suspect) = suspects.iter().find(|s| &s.id() == id) else {
            eprintln!("gallery: no suspect {id}; `--list` names them");
            return ExitCode::from(2);
        };
        let outcome = RunOutcome::of(suspect);
        if outcome.failures.is_empty() {
            println!("{id}: every check passed");
            return ExitCode::SUCCESS;
        }
        println!("{}", outcome.report());
        return ExitCode::from(1);
    }
    let runs = args.runs.unwrap_or_else(|| Course::embedded().catch_runs);
    let chosen: Vec<&Suspect> = suspects
        .iter()
        .filter(|s| args.filters.is_empty() || args.filters.iter().any(|f| s.id().contains(f)))
        .collect();
    prove_caught(&chosen, runs, suspects.len() - chosen.len())
}

/// Runs every suspect `runs` times, a few at once, and prints a line each and
/// libtest's closing line, so that cargo and CI read the result as a test run.
fn prove_caught(suspects: &[&Suspect], runs: u32, filtered_out: usize) -> ExitCode {
    let start = Instant::now();
    println!(
        "\nrunning {} catch proofs, {runs} runs each",
        suspects.len()
    );
    let queue = Mutex::new(suspects.iter().copied().collect::<VecDeque<_>>());
    let failed = Mutex::new(0usize);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(suspect) = queue.lock().unwrap().pop_front() {
                    let (caught, miss) = catch_rate(suspect, runs);
                    let line = format!(
                        "{:<32} caught {caught} of {runs} runs ({})",
                        suspect.id(),
                        suspect.title
                    );
                    match miss {
                        None => println!("ok    {line}"),
                        Some(why) => {
                            *failed.lock().unwrap() += 1;
                            println!("FAIL  {line}\n{}", indent(&why));
                        }
                    }
                }
            });
        }
    });
    let failed = failed.into_inner().unwrap();
    println!(
        "\ntest result: {}. {} passed; {failed} failed; 0 ignored; 0 measured; {filtered_out} filtered out; finished in {:.2}s\n",
        if failed == 0 { "ok" } else { "FAILED" },
        suspects.len() - failed,
        start.elapsed().as_secs_f64()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(101)
    }
}

/// How many of `runs` runs caught the suspect for its reason, and what the
/// first miss looked like.
fn catch_rate(suspect: &Suspect, runs: u32) -> (u32, Option<String>) {
    let mut caught = 0;
    let mut first_miss = None;
    for run in 1..=runs {
        let outcome = RunOutcome::of(suspect);
        if outcome.caught(suspect.expect) {
            caught += 1;
        } else if first_miss.is_none() {
            first_miss = Some(if outcome.failures.is_empty() {
                format!("run {run}: the spec passed: it cannot tell this wrong code from a fix")
            } else {
                format!(
                    "run {run}: the spec failed, but no message mentions `{}`:\n{}",
                    suspect.expect,
                    outcome.report()
                )
            });
        }
    }
    (caught, first_miss)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("        {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args {
        parse(list.iter().map(|s| s.to_string())).unwrap()
    }

    #[test]
    fn reads_its_flags_and_ignores_libtests() {
        assert_eq!(
            args(&["--quiet", "--format", "pretty", "01.4", "--runs", "50"]),
            Args {
                runs: Some(50),
                filters: vec!["01.4".into()],
                ..Args::default()
            }
        );
        assert_eq!(
            args(&["--once", "01.8/naive"]).once.as_deref(),
            Some("01.8/naive")
        );
        assert!(parse(["--runs".to_string(), "0".to_string()].into_iter()).is_err());
    }
}
