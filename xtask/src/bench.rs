//! `cargo xtask bench NN -- [flags]`: a module's bench, the `bench-NN` binary
//! of its demo crate (modules/NN/demo/src/bin/bench.rs), which prints its
//! table; every bench takes `--smoke`, one small point of each, which verify runs.
//!
//! `cargo xtask bench loop [--runs N] [--against-rustlings]`: how long a
//! student waits between saving a file and reading the verdict.
//!
//! Each run appends a comment to an exercise file, times `cargo xtask test
//! <id>` exactly as a student types it, and puts the file back. One in-memory
//! exercise and one PostgreSQL exercise are measured; with
//! `--against-rustlings`, rustlings' own loop (`rustlings run structs1` after
//! the same edit) is measured in the same run, the three interleaved so that
//! all of them see the same load. It prints figures; it is not a test and has
//! no time limit.

use crate::containers::Containers;
use crate::{Ctx, cargo};
use racecourse_manifest::{Exercise, Module, Side};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The rustlings exercise timed beside ours, as in the course's first
/// measurement: a failing exercise, so its verdict is the compiler's.
const RUSTLINGS_EXERCISE: &str = "structs1";
const RUSTLINGS_FILE: &str = "exercises/07_structs/structs1.rs";

/// rustlings builds as it would anywhere else: without the course's
/// `-C prefer-dynamic` (.cargo/config.toml), which applies under the repository.
const NO_COURSE_FLAGS: (&str, &str) = ("CARGO_ENCODED_RUSTFLAGS", "");

/// Runs module `module`'s bench with `args`, with the services it needs,
/// built with `--release`: unoptimised, the bench's own client, not the
/// strategy or PostgreSQL, sets the figures (verify's smoke run of each bench
/// stays a debug build, which the test command builds anyway).
pub fn module(ctx: &Ctx, module: &Module, args: &[String]) -> anyhow::Result<()> {
    let bench = ctx
        .root
        .join(format!("modules/{}/demo/src/bin/bench.rs", module.dir));
    if !bench.is_file() {
        anyhow::bail!("module {} has no bench (no {})", module.id, bench.display());
    }
    let services = ctx
        .course
        .exercises_of(module)
        .flat_map(|e| e.services.iter().map(String::as_str));
    let containers = Containers::provide(&ctx.root, services)?;
    let bin = format!("bench-{}", module.id);
    let mut cargo_args = vec![
        "run",
        "--quiet",
        "--release",
        "-p",
        &module.demo_package,
        "--bin",
        &bin,
        "--",
    ];
    cargo_args.extend(args.iter().map(String::as_str));
    let mut cmd = cargo::command(&ctx.root, &cargo_args);
    containers.apply(&mut cmd);
    let status = cmd.status()?;
    drop(containers);
    if !status.success() {
        anyhow::bail!("the bench of module {} failed", module.id);
    }
    Ok(())
}

pub fn run(ctx: &Ctx, what: &str, runs: usize, against_rustlings: bool) -> anyhow::Result<()> {
    if what != "loop" {
        anyhow::bail!("there is no bench `{what}`; there is: loop, or a module's number");
    }
    if runs == 0 {
        anyhow::bail!("--runs takes a positive number of runs, not 0");
    }
    let memory = pick(ctx, |e| e.services.is_empty(), "in-memory")?;
    let postgres = pick(ctx, |e| e.needs("postgres"), "PostgreSQL")?;
    // Each runner times both exercises: `cargo xtask`, and the installed
    // `racecourse` when `cargo xtask install` has put one on the PATH.
    let mut runners = vec![Runner::cargo_xtask()];
    runners.extend(Runner::installed());
    let mut loops = Vec::new();
    for runner in &runners {
        loops.push(Loop::ours(ctx, runner, memory));
        loops.push(Loop::ours(ctx, runner, postgres));
    }
    if against_rustlings {
        loops.push(Loop::rustlings(&ctx.root)?);
    }
    println!(
        "edit to verdict: append a comment, run, restore; {runs} runs each, interleaved, after one warm-up run"
    );
    for l in &loops {
        l.time()?; // builds whatever the edit does not touch
    }
    let mut times = vec![Vec::with_capacity(runs); loops.len()];
    for round in 0..runs {
        for (l, t) in loops.iter().zip(&mut times) {
            t.push(l.time()?);
        }
        eprint!("\r{} of {runs} rounds", round + 1);
    }
    eprintln!();
    println!();
    println!("| loop | median | range |");
    println!("| --- | --- | --- |");
    let medians: Vec<f64> = loops
        .iter()
        .zip(&mut times)
        .map(|(l, t)| {
            t.sort();
            let median = secs(t[t.len() / 2]);
            println!(
                "| {} | {median:.2} s | {:.2} to {:.2} s |",
                l.label,
                secs(t[0]),
                secs(t[t.len() - 1])
            );
            median
        })
        .collect();
    println!();
    for (runner, pair) in runners.iter().zip(medians.chunks(2)) {
        println!(
            "{}: PostgreSQL exercise minus in-memory exercise: {:+.2} s",
            runner.name,
            pair[1] - pair[0]
        );
        if against_rustlings {
            println!(
                "{}: in-memory exercise / rustlings: {:.2}",
                runner.name,
                pair[0] / medians[medians.len() - 1]
            );
        }
    }
    if runners.len() == 1 {
        println!(
            "(`cargo xtask install` puts the runner on the PATH as `racecourse`; this bench then times it too)"
        );
    }
    Ok(())
}

/// How a student starts the runner: the program and the words before `test <id>`.
struct Runner {
    name: &'static str,
    program: PathBuf,
    words: Vec<String>,
}

impl Runner {
    fn cargo_xtask() -> Runner {
        Runner {
            name: "cargo xtask",
            program: std::env::var_os("CARGO")
                .unwrap_or_else(|| "cargo".into())
                .into(),
            words: vec!["xtask".into()],
        }
    }

    /// `racecourse`, if it is on the PATH.
    fn installed() -> Option<Runner> {
        let name = format!("racecourse{}", std::env::consts::EXE_SUFFIX);
        let program = std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(&name))
            .find(|p| p.is_file())?;
        Some(Runner {
            name: "racecourse",
            program,
            words: Vec::new(),
        })
    }
}

/// The first exercise of the course that `fits`.
fn pick<'a>(
    ctx: &'a Ctx,
    fits: impl Fn(&Exercise) -> bool,
    kind: &str,
) -> anyhow::Result<&'a Exercise> {
    ctx.course
        .exercises
        .iter()
        .find(|e| fits(e))
        .ok_or_else(|| anyhow::anyhow!("the course has no {kind} exercise to time"))
}

/// One edit-to-verdict loop: the file edited and the command that gives the verdict.
struct Loop {
    label: String,
    file: PathBuf,
    dir: PathBuf,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(&'static str, &'static str)>,
}

impl Loop {
    fn ours(ctx: &Ctx, runner: &Runner, exercise: &Exercise) -> Loop {
        let mut args = runner.words.clone();
        args.extend(["test".into(), exercise.id.clone()]);
        Loop {
            label: format!(
                "`{} test {}` ({})",
                runner.name,
                exercise.id,
                exercise.store()
            ),
            file: ctx.root.join(ctx.course.file_of(exercise, Side::Exercises)),
            dir: ctx.root.clone(),
            program: runner.program.clone(),
            args,
            env: Vec::new(),
        }
    }

    /// rustlings, installed and set up under `target/rustlings` the first time.
    fn rustlings(root: &Path) -> anyhow::Result<Loop> {
        let home = root.join("target/rustlings");
        let program = home.join("root/bin/rustlings");
        if !program.exists() {
            println!("installing rustlings into {}", home.join("root").display());
            let root_dir = home.join("root");
            let status = cargo::command(
                root,
                &[
                    "install",
                    "--locked",
                    "--quiet",
                    "rustlings",
                    "--root",
                    root_dir.to_str().expect("the repository's path is UTF-8"),
                ],
            )
            .env(NO_COURSE_FLAGS.0, NO_COURSE_FLAGS.1)
            .status()?;
            anyhow::ensure!(
                status.success(),
                "`cargo install rustlings` failed: see above"
            );
        }
        let exercises = home.join("rustlings");
        if !exercises.join(RUSTLINGS_FILE).exists() {
            // rustlings joins the Cargo workspace it finds itself in: give it its
            // own, so that it stays out of the course's.
            std::fs::write(
                home.join("Cargo.toml"),
                "[workspace]\nresolver = \"3\"\nmembers = []\n",
            )?;
            let mut init = Command::new(&program)
                .arg("init")
                .env(NO_COURSE_FLAGS.0, NO_COURSE_FLAGS.1)
                .current_dir(&home)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()?;
            // `init` asks to press ENTER.
            std::io::Write::write_all(&mut init.stdin.take().expect("piped"), b"\n")?;
            anyhow::ensure!(init.wait()?.success(), "`rustlings init` failed: see above");
        }
        Ok(Loop {
            label: format!("`rustlings run {RUSTLINGS_EXERCISE}`"),
            file: exercises.join(RUSTLINGS_FILE),
            dir: exercises,
            program,
            args: vec!["run".into(), RUSTLINGS_EXERCISE.into()],
            env: vec![NO_COURSE_FLAGS],
        })
    }

    /// One edit-to-verdict: append a comment, run to the verdict, restore.
    fn time(&self) -> anyhow::Result<Duration> {
        let original = std::fs::read(&self.file)?;
        let mut edited = original.clone();
        edited.extend_from_slice(b"\n// bench loop\n");
        std::fs::write(&self.file, &edited)?;
        let start = Instant::now();
        let status = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().copied())
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let elapsed = start.elapsed();
        std::fs::write(&self.file, &original)?;
        status?; // a failing verdict is still a verdict; only a missing program is an error
        Ok(elapsed)
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
