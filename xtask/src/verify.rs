//! `cargo xtask verify`: the author's proof that the course is whole. It counts
//! checks, not tests, so the stubs' expected failures never read as a failed run:
//!
//! - the manifest matches the tree (files, hints, book pages, mirrored crates);
//! - every message the code uses is in every language's catalogue, and every
//!   exercise's title and hint is translated (racecourse-i18n's check);
//! - the workspace builds without a warning, and one variant of each crate
//!   whichever package is built (variants.rs);
//! - per exercise: every spec test fails on the stub and passes on the solution,
//!   and the spec catches each suspect of the module's gallery (the naive code
//!   and the wrong fixes) in every one of course.toml's `catch_runs` runs, with
//!   the gallery running the same checks as the spec's tests;
//! - no spec test belongs to no exercise, and no suspect of the gallery either;
//! - each module's own tests pass (its unit tests; its demo answers bad input
//!   with problem+json), and the runner's and kit's;
//! - the book builds with every include and exercise box resolved.

use crate::containers::Containers;
use crate::gallery::{GalleryRun, Suspect};
use crate::{Ctx, cargo, gallery, variants};
use racecourse_manifest::{Module, Side};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn check(&mut self, ok: bool, line: &str, detail: &str) {
        if ok {
            self.passed += 1;
            println!("  ok    {line}");
        } else {
            self.failed += 1;
            println!("  FAIL  {line}");
            for l in detail.lines().filter(|l| !l.trim().is_empty()) {
                println!("          {l}");
            }
        }
    }
}

pub fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let mut tally = Tally::default();
    let problems = manifest_problems(ctx);
    tally.check(
        problems.is_empty(),
        &format!(
            "manifest: {} exercises, their files, hints and book pages; mirrored crates",
            ctx.course.exercises.len()
        ),
        &problems.join("\n"),
    );

    let (problems, line) = catalogue_problems(ctx)?;
    tally.check(problems.is_empty(), &line, &problems.join("\n"));

    let warnings = workspace_warnings(&ctx.root)?;
    tally.check(
        warnings.is_empty(),
        "build: the workspace compiles without warnings",
        &warnings.join("\n"),
    );

    let packages: Vec<&str> = ctx
        .course
        .modules
        .iter()
        .flat_map(|m| {
            [
                m.exercises_package.as_str(),
                m.solutions_package.as_str(),
                m.package.as_str(),
                m.demo_package.as_str(),
            ]
        })
        .collect();
    let differences = variants::differences(&ctx.root, &packages)?;
    tally.check(
        differences.is_empty(),
        "build: one variant of each crate, whichever package is built",
        &differences.join("\n"),
    );

    // Every service the course names, for the specs and the modules' own tests.
    let containers = Containers::provide(&ctx.root, ctx.course.services())?;
    for module in &ctx.course.modules {
        let stubs = cargo::spec(&ctx.root, module, Side::Exercises, "", &containers)?;
        let solutions = cargo::spec(&ctx.root, module, Side::Solutions, "", &containers)?;
        let runs = ctx.course.catch_runs;
        let gallery = gallery::prove(&ctx.root, &module.package, runs, &containers)?;
        let mut claimed = BTreeSet::new();
        for exercise in ctx.course.exercises_of(module) {
            let shipped: Vec<_> = stubs.matching(&exercise.tests).collect();
            let solved: Vec<_> = solutions.matching(&exercise.tests).collect();
            claimed.extend(solved.iter().map(|(name, _)| name.to_string()));
            let mut detail = Vec::new();
            if solved.is_empty() {
                detail.push(format!("no spec test starts with {}", exercise.tests));
            }
            for (name, _) in shipped.iter().filter(|(_, o)| o.passed) {
                detail.push(format!(
                    "{name} already passes on the stub: the stub must fail every check"
                ));
            }
            for (name, outcome) in solved.iter().filter(|(_, o)| !o.passed) {
                detail.push(format!(
                    "{name} fails on the solution:\n{}",
                    cargo::explanation(&outcome.output)
                ));
            }
            if shipped.len() != solved.len() {
                detail.push("the stub and the solution do not run the same checks".into());
            }
            let suspects: Vec<&Suspect> = gallery.of(&exercise.id).collect();
            let checks: BTreeSet<String> = solved
                .iter()
                .map(|(name, _)| name.trim_start_matches(exercise.tests.as_str()).to_string())
                .collect();
            detail.extend(catch_problems(&gallery, &suspects, &checks));
            let counted = format!(
                "{} {}",
                solved.len(),
                if solved.len() == 1 { "check" } else { "checks" }
            );
            tally.check(
                detail.is_empty(),
                &format!(
                    "{:<5} {}: fails as shipped, solution passes, {} ({counted}{})",
                    exercise.id,
                    exercise.title,
                    catches(&suspects),
                    if suspects.is_empty() {
                        String::new()
                    } else {
                        format!(", {runs} runs each")
                    }
                ),
                &detail.join("\n"),
            );
        }
        let orphans: Vec<_> = solutions
            .tests
            .keys()
            .filter(|t| !claimed.contains(*t))
            .cloned()
            .collect();
        tally.check(
            orphans.is_empty() && solutions.compiled,
            &format!("{}: every spec test belongs to an exercise", module.id),
            &format!(
                "not claimed by any exercise's `tests` prefix: {}",
                orphans.join(", ")
            ),
        );
        let strays: Vec<String> = gallery
            .suspects
            .iter()
            .filter(|s| ctx.course.exercises_of(module).all(|e| e.id != s.exercise))
            .map(Suspect::id)
            .collect();
        tally.check(
            strays.is_empty(),
            &format!(
                "{}: every suspect of the gallery belongs to an exercise ({})",
                module.id,
                gallery.suspects.len()
            ),
            &format!(
                "not an exercise of module {}: {}",
                module.id,
                strays.join(", ")
            ),
        );
        // Its unit tests and its test files (the gallery, `test = false`, ran above).
        let (ok, output) = package_tests(&ctx.root, &["-p", &module.package], &containers)?;
        tally.check(
            ok,
            &format!("{}: the module's own tests ({})", module.id, module.package),
            &output,
        );
        let (ok, output) = package_tests(&ctx.root, &["-p", &module.demo_package], &containers)?;
        tally.check(
            ok,
            &format!(
                "{}: the demo's own tests ({})",
                module.id, module.demo_package
            ),
            &output,
        );
        if ctx
            .root
            .join(format!("modules/{}/demo/src/bin/bench.rs", module.dir))
            .is_file()
        {
            let (ok, output) = bench_smoke(&ctx.root, module, &containers)?;
            tally.check(
                ok,
                &format!("{}: its bench runs (--smoke)", module.id),
                &output,
            );
        }
    }
    for package in [
        "racecourse-manifest",
        "racecourse-i18n",
        "racecourse-kit",
        "racecourse-bench",
        "xtask",
    ] {
        let (ok, output) = package_tests(&ctx.root, &["-p", package], &containers)?;
        tally.check(ok, &format!("the tests of {package}"), &output);
    }
    let (ok, output) = package_tests(&ctx.root, &cargo::TOOLS, &containers)?;
    tally.check(ok, "the tests of racecourse-tools", &output);
    let (built, output) = tool_output(&ctx.root, &["book", "--check", "--language", "uk"])?;
    let browser = output
        .lines()
        .find_map(|l| {
            l.strip_prefix("browser check: ")
                .or(l.strip_prefix("skipped the "))
        })
        .unwrap_or("no browser check ran");
    tally.check(
        built,
        &format!(
            "book, in English and Ukrainian: builds, every include and exercise box resolved; {browser}"
        ),
        &output,
    );
    // Module 07's page, driven in the browser as two people would use it.
    if ctx.course.module("07").is_some() {
        let (ok, output) = tool_output(&ctx.root, &["page", "07"])?;
        let line = output
            .lines()
            .find_map(|l| {
                l.strip_prefix("page check (module 07): ")
                    .or(l.strip_prefix("skipped the "))
            })
            .unwrap_or("no browser check ran");
        tally.check(ok, &format!("07: the page in the browser; {line}"), &output);
    }

    println!("verify: {} passed, {} failed", tally.passed, tally.failed);
    drop(containers);
    if tally.failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// What the gallery's run says against one exercise's spec: a suspect not
/// caught in every run, a suspect whose checks are not the spec's tests (the
/// spec! macro and the exercise's check list drifted apart), a gallery that
/// did not run. `checks` are the spec's test names without the prefix.
fn catch_problems(
    gallery: &GalleryRun,
    suspects: &[&Suspect],
    checks: &BTreeSet<String>,
) -> Vec<String> {
    if let Some(problem) = &gallery.problem {
        return vec![problem.clone()];
    }
    let mut problems = Vec::new();
    for suspect in suspects {
        match gallery.proof(suspect) {
            None => problems.push(format!(
                "{}: the gallery lists it but printed no verdict for it",
                suspect.id()
            )),
            Some(proof) if !proof.ok => {
                problems.push(format!("{}\n{}", proof.summary(), indent(&proof.detail)))
            }
            Some(_) => {}
        }
        if !checks.is_empty() && suspect.checks != *checks {
            let list = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
            problems.push(format!(
                "{}: the gallery runs the checks [{}] but the spec's tests are [{}]: the spec! \
                 macro and the exercise's list of checks disagree",
                suspect.id(),
                list(&suspect.checks),
                list(checks)
            ));
        }
    }
    problems
}

/// `catches the naive code and 3 wrong fixes`, `catches 1 wrong fix`,
/// `catches no wrong implementation`.
fn catches(suspects: &[&Suspect]) -> String {
    let naive = suspects.iter().any(|s| s.name == "naive");
    let fixes = suspects.iter().filter(|s| s.name != "naive").count();
    let fixes_text = format!("{fixes} wrong {}", if fixes == 1 { "fix" } else { "fixes" });
    match (naive, fixes) {
        (false, 0) => "catches no wrong implementation".into(),
        (true, 0) => "catches the naive code".into(),
        (false, _) => format!("catches {fixes_text}"),
        (true, _) => format!("catches the naive code and {fixes_text}"),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What is wrong between course.toml and the tree.
/// The catalogues against the code and course.toml, and a line that says how
/// much of each translation is there.
fn catalogue_problems(ctx: &Ctx) -> anyhow::Result<(Vec<String>, String)> {
    use racecourse_i18n::{check, exercise_id};
    let code = check::ids_in_code(&ctx.root, &["modules", "xtask"])?;
    let mut exercise_ids = BTreeSet::new();
    for exercise in &ctx.course.exercises {
        exercise_ids.insert(exercise_id(&exercise.id, "title"));
        exercise_ids.insert(exercise_id(&exercise.id, "hint"));
        if exercise.stuck.is_some() {
            exercise_ids.insert(exercise_id(&exercise.id, "stuck"));
        }
    }
    let shares: Vec<String> = check::coverage(&exercise_ids)
        .iter()
        .map(|(lang, present, wanted)| format!("{lang} {present} of {wanted}"))
        .collect();
    let line = format!(
        "catalogue: {} messages in the code and {} exercise texts, in every language ({})",
        code.len(),
        exercise_ids.len(),
        shares.join(", ")
    );
    Ok((check::problems(&code, &exercise_ids), line))
}

fn manifest_problems(ctx: &Ctx) -> Vec<String> {
    let mut problems = Vec::new();
    let root = &ctx.root;
    let book_pages: String = walk(&root.join("book/src"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    for module in &ctx.course.modules {
        for name in &module.demo_services {
            if racecourse_manifest::services::service(name).is_none() {
                problems.push(format!(
                    "module {}: demo_services names {name}, which is no service the course knows",
                    module.id
                ));
            }
        }
    }
    let mut ids = BTreeSet::new();
    for e in &ctx.course.exercises {
        if !ids.insert(&e.id) {
            problems.push(format!("{} appears twice", e.id));
        }
        let expected_prefix = format!("e{}_", e.id.replace('.', "_"));
        if e.tests != expected_prefix {
            problems.push(format!(
                "{}: tests should be {expected_prefix}, the id in test names",
                e.id
            ));
        }
        if ctx.course.module(e.module_id()).is_none() {
            problems.push(format!("{}: no module {}", e.id, e.module_id()));
            continue;
        }
        for side in [Side::Exercises, Side::Solutions] {
            let file = ctx.course.file_of(e, side);
            if !root.join(&file).is_file() {
                problems.push(format!("{}: {file} does not exist", e.id));
            }
        }
        let position = |id: &str| ctx.course.exercises.iter().position(|x| x.id == id);
        for earlier in &e.builds_on {
            let before = matches!(
                (position(earlier), position(&e.id)),
                (Some(a), Some(b)) if a < b
            );
            if !before {
                problems.push(format!(
                    "{}: builds_on names {earlier}, which is no exercise before it",
                    e.id
                ));
            }
        }
        if e.hint.trim().is_empty() || e.proves.trim().is_empty() {
            problems.push(format!(
                "{}: the hint and `proves` must say something",
                e.id
            ));
        }
        if !book_pages.contains(&format!("{{{{#exercise {}}}}}", e.id)) {
            problems.push(format!(
                "{}: no book page has {{{{#exercise {}}}}}",
                e.id, e.id
            ));
        }
    }
    for m in &ctx.course.modules {
        let listing = |side: &str| -> BTreeSet<String> {
            let dir = root.join(side).join(&m.dir);
            walk(&dir)
                .iter()
                .filter_map(|p| p.strip_prefix(&dir).ok().map(|p| p.display().to_string()))
                .collect()
        };
        let (exercises, solutions) = (listing("exercises"), listing("solutions"));
        if exercises.is_empty() {
            problems.push(format!(
                "module {}: exercises/{} is empty or missing",
                m.id, m.dir
            ));
        }
        for only in exercises.symmetric_difference(&solutions) {
            problems.push(format!(
                "module {}: {only} is in one of exercises/ and solutions/ but not the other",
                m.id
            ));
        }
    }
    problems
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Every warning the compiler gives on the course's own code, tests included:
/// the workspace's and the runner's heavy half's.
fn workspace_warnings(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut warnings = warnings_of(root, &["--workspace"])?;
    warnings.extend(warnings_of(root, &cargo::TOOLS)?);
    Ok(warnings)
}

/// Every warning the compiler gives on our code in `selection`.
fn warnings_of(root: &Path, selection: &[&str]) -> anyhow::Result<Vec<String>> {
    let mut args = vec!["test", "--no-run", "--message-format=json"];
    args.extend_from_slice(selection);
    let output = cargo::command(root, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()?;
    let root_text = root.display().to_string();
    let mut warnings = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-message" {
            continue;
        }
        let ours = message["target"]["src_path"]
            .as_str()
            .is_some_and(|p| p.starts_with(&root_text));
        let level = message["message"]["level"].as_str().unwrap_or("");
        if ours && (level == "warning" || level == "error") {
            warnings.push(
                message["message"]["rendered"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    if !output.status.success() && warnings.is_empty() {
        warnings.push(format!(
            "it does not build: run `cargo test --no-run {}` to see why",
            selection.join(" ")
        ));
    }
    Ok(warnings)
}

/// Runs `racecourse-tools` with `args`; returns whether it succeeded and what it printed.
fn tool_output(root: &Path, args: &[&str]) -> anyhow::Result<(bool, String)> {
    let output = cargo::tools(root, args).output()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), text))
}

/// Runs the tests of one package (all, or the targets `targets` selects, e.g.
/// `--lib`); returns whether they passed and, if not, what they printed.
/// A smoke run of a module's bench (`--smoke`: one small point of each). The
/// figures are not checked, only that the bench runs.
fn bench_smoke(
    root: &Path,
    module: &Module,
    containers: &Containers,
) -> anyhow::Result<(bool, String)> {
    let bin = format!("bench-{}", module.id);
    let args = [
        "run",
        "--quiet",
        "-p",
        &module.demo_package,
        "--bin",
        &bin,
        "--",
        "--smoke",
    ];
    let mut cmd = cargo::command(root, &args);
    containers.apply(&mut cmd);
    let output = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).output()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), text))
}

fn package_tests(
    root: &Path,
    selection: &[&str],
    containers: &Containers,
) -> anyhow::Result<(bool, String)> {
    let mut args = vec!["test", "--quiet"];
    args.extend_from_slice(selection);
    let mut cmd = cargo::command(root, &args);
    containers.apply(&mut cmd);
    let output = cmd
        .env("RUST_BACKTRACE", "0")
        // The packages' own tests check the English messages.
        .env("RACECOURSE_LANG", "en")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let failures: String = text
        .lines()
        .skip_while(|l| !l.starts_with("failures:"))
        .take(60)
        .collect::<Vec<_>>()
        .join("\n");
    Ok((
        output.status.success(),
        if failures.is_empty() { text } else { failures },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::Proof;

    /// The catalogue check alone, for a translator's quick loop:
    /// `cargo test -p xtask catalogues`.
    #[test]
    fn the_catalogues_are_complete() {
        let root = racecourse_manifest::repo_root();
        let course = racecourse_manifest::Course::load(&root).unwrap();
        let (problems, line) = catalogue_problems(&Ctx { root, course }).unwrap();
        assert!(problems.is_empty(), "{line}\n{}", problems.join("\n"));
    }

    fn suspect(id: &str, checks: &[&str]) -> Suspect {
        let (exercise, name) = id.split_once('/').unwrap();
        Suspect {
            exercise: exercise.into(),
            name: name.into(),
            title: "a title".into(),
            checks: checks.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn proof(id: &str, caught: u32, runs: u32) -> Proof {
        Proof {
            id: id.into(),
            ok: caught == runs,
            caught,
            runs,
            title: "a title".into(),
            detail: if caught == runs {
                String::new()
            } else {
                "run 1: the spec passed\n".into()
            },
        }
    }

    #[test]
    fn names_what_the_spec_catches() {
        let naive = suspect("01.4/naive", &[]);
        let fix = suspect("01.4/positive-check", &[]);
        let other = suspect("01.4/no-lock", &[]);
        assert_eq!(catches(&[]), "catches no wrong implementation");
        assert_eq!(catches(&[&naive]), "catches the naive code");
        assert_eq!(catches(&[&fix]), "catches 1 wrong fix");
        assert_eq!(catches(&[&fix, &other]), "catches 2 wrong fixes");
        assert_eq!(
            catches(&[&naive, &fix, &other]),
            "catches the naive code and 2 wrong fixes"
        );
    }

    #[test]
    fn a_suspect_fails_the_exercise_when_missed_or_drifted() {
        let checks: BTreeSet<String> = ["a", "b"].iter().map(|c| c.to_string()).collect();
        let caught = suspect("01.4/naive", &["a", "b"]);
        let missed = suspect("01.4/positive-check", &["a", "b"]);
        let drifted = suspect("01.4/no-lock", &["a"]);
        let silent = suspect("01.4/silent", &["a", "b"]);
        let gallery = GalleryRun {
            suspects: vec![
                caught.clone(),
                missed.clone(),
                drifted.clone(),
                silent.clone(),
            ],
            proofs: vec![
                proof("01.4/naive", 3, 3),
                proof("01.4/positive-check", 2, 3),
                proof("01.4/no-lock", 3, 3),
            ],
            problem: None,
        };
        assert!(catch_problems(&gallery, &[&caught], &checks).is_empty());
        let missed_problems = catch_problems(&gallery, &[&missed], &checks);
        assert_eq!(
            missed_problems,
            ["01.4/positive-check caught 2 of 3 runs (a title)\n  run 1: the spec passed"]
        );
        let drift = catch_problems(&gallery, &[&drifted], &checks);
        assert_eq!(drift.len(), 1);
        assert!(drift[0].starts_with(
            "01.4/no-lock: the gallery runs the checks [a] but the spec's tests are [a, b]"
        ));
        assert!(catch_problems(&gallery, &[&silent], &checks)[0].contains("no verdict"));

        let broken = GalleryRun {
            problem: Some("the gallery did not run".into()),
            ..gallery
        };
        assert_eq!(
            catch_problems(&broken, &[], &checks),
            ["the gallery did not run"]
        );
    }
}
