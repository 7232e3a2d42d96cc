//! `cargo xtask verify`: the author's proof that the course is whole. It counts
//! checks, not tests, so the stubs' expected failures never read as a failed run:
//!
//! - the manifest matches the tree (files, hints, book pages, mirrored crates);
//! - the workspace builds without a warning;
//! - per exercise: every spec test fails on the stub and passes on the solution;
//! - no spec test belongs to no exercise;
//! - each module's own tests pass (its spec catches every naive implementation,
//!   its demo answers bad input with problem+json), and the runner's and kit's;
//! - the book builds with every include and exercise box resolved.

use crate::containers::Containers;
use crate::{Ctx, cargo};
use racecourse_manifest::Side;
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

    let warnings = workspace_warnings(&ctx.root)?;
    tally.check(
        warnings.is_empty(),
        "build: the workspace compiles without warnings",
        &warnings.join("\n"),
    );

    // Every service the course names, for the specs and the modules' own tests.
    let containers = Containers::provide(&ctx.root, ctx.course.services())?;
    for module in &ctx.course.modules {
        let stubs = cargo::spec(&ctx.root, module, Side::Exercises, "", &containers)?;
        let solutions = cargo::spec(&ctx.root, module, Side::Solutions, "", &containers)?;
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
            tally.check(
                detail.is_empty(),
                &format!(
                    "{:<5} {}: fails as shipped, solution passes ({} {})",
                    exercise.id,
                    exercise.title,
                    solved.len(),
                    if solved.len() == 1 { "check" } else { "checks" }
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
        let (ok, output) = package_tests(&ctx.root, &module.package, &containers)?;
        tally.check(
            ok,
            &format!(
                "{}: the spec catches every naive implementation ({})",
                module.id, module.package
            ),
            &output,
        );
        let (ok, output) = package_tests(&ctx.root, &module.demo_package, &containers)?;
        tally.check(
            ok,
            &format!(
                "{}: the demo's own tests ({})",
                module.id, module.demo_package
            ),
            &output,
        );
    }
    for package in [
        "racecourse-manifest",
        "racecourse-kit",
        "xtask",
        "racecourse-tools",
    ] {
        let (ok, output) = package_tests(&ctx.root, package, &containers)?;
        tally.check(ok, &format!("the tests of {package}"), &output);
    }
    let (built, output) = tool_output(&ctx.root, &["book"])?;
    tally.check(
        built,
        "book: builds, every include and exercise box resolved",
        &output,
    );

    println!("verify: {} passed, {} failed", tally.passed, tally.failed);
    drop(containers);
    if tally.failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// What is wrong between course.toml and the tree.
fn manifest_problems(ctx: &Ctx) -> Vec<String> {
    let mut problems = Vec::new();
    let root = &ctx.root;
    let book_pages: String = walk(&root.join("book/src"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
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

/// Every warning the compiler gives on the workspace's own code, tests included.
fn workspace_warnings(root: &Path) -> anyhow::Result<Vec<String>> {
    let output = cargo::command(
        root,
        &["test", "--workspace", "--no-run", "--message-format=json"],
    )
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
        warnings.push(
            "the workspace does not build: run `cargo test --workspace --no-run` to see why".into(),
        );
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

/// Runs all tests of one package; returns whether they passed and, if not, what they printed.
fn package_tests(
    root: &Path,
    package: &str,
    containers: &Containers,
) -> anyhow::Result<(bool, String)> {
    let mut cmd = cargo::command(root, &["test", "--quiet", "-p", package]);
    containers.apply(&mut cmd);
    let output = cmd
        .env("RUST_BACKTRACE", "0")
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
