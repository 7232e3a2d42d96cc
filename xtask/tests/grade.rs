//! `racecourse grade`, end to end: a class of four checkouts made from this
//! repository's own files, graded by the real binary against the pristine spec.
//!
//! Grading compiles the course in grading copies under target/grade/ (minutes
//! the first time, seconds per student after); the tests that grade take turns,
//! since they share those copies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// One grading run at a time: every run uses target/grade/work-N.
static GRADING: Mutex<()> = Mutex::new(());

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

fn racecourse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_racecourse"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("racecourse runs")
}

/// A fresh, empty folder under target/grade-tests/.
fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target").join("grade-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A student's checkout as shipped: the manifest, the exercises (stubs) and
/// the module's spec.
fn checkout(dir: &Path) {
    let root = root();
    std::fs::create_dir_all(dir).expect("checkout folder");
    std::fs::copy(root.join("course.toml"), dir.join("course.toml")).expect("course.toml");
    std::fs::copy(root.join("Cargo.toml"), dir.join("Cargo.toml")).expect("Cargo.toml");
    copy_tree(
        &root.join("exercises/01-concurrency"),
        &dir.join("exercises/01-concurrency"),
    );
    copy_tree(
        &root.join("modules/01-concurrency/src/spec"),
        &dir.join("modules/01-concurrency/src/spec"),
    );
}

/// Puts the reference solution of module 01's `file` (in src/) into a checkout.
fn solve(dir: &Path, file: &str) {
    solve_in(dir, "01-concurrency", file);
}

/// Puts the reference solution of `module`'s `file` (in src/) into a
/// checkout, creating the folder: grading takes only the files a student
/// edits, the rest of the module is the pristine one.
fn solve_in(dir: &Path, module: &str, file: &str) {
    let to = dir.join("exercises").join(module).join("src").join(file);
    std::fs::create_dir_all(to.parent().expect("src")).expect("folder");
    std::fs::copy(
        root().join("solutions").join(module).join("src").join(file),
        to,
    )
    .expect("solution");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(path, text).expect("write");
}

/// The class: untouched, three solved, a tamperer, one that does not compile.
/// The solver also solves 05.4 and 06.1, which builds on it; the broken one
/// solves 06.1 alone, so its checkout pays through 05.4's stub.
fn class() -> PathBuf {
    let class = scratch("class");
    for name in ["1-untouched", "2-solver", "3-tamperer", "4-broken"] {
        checkout(&class.join(name));
    }
    let solver = class.join("2-solver");
    for file in ["counter.rs", "versioned.rs", "lease.rs"] {
        solve(&solver, file);
    }
    solve_in(&solver, "05-resilience", "payments.rs");
    solve_in(&solver, "06-shop", "checkout.rs");
    // The tamperer solves 01.1 only, then makes every test pass trivially:
    // an empty spec, its own spec.rs, a manifest where all is worth a lot.
    let tamperer = class.join("3-tamperer");
    solve(&tamperer, "counter.rs");
    write(
        &tamperer.join("modules/01-concurrency/src/spec/counter.rs"),
        "pub fn checks() -> Vec<()> { Vec::new() }\n",
    );
    std::fs::remove_file(tamperer.join("modules/01-concurrency/src/spec/versioned.rs"))
        .expect("remove");
    write(
        &tamperer.join("exercises/01-concurrency/src/spec.rs"),
        "#[test]\nfn e01_2_passes() {}\n#[test]\nfn e01_3_passes() {}\n",
    );
    let manifest = std::fs::read_to_string(tamperer.join("course.toml"))
        .expect("course.toml")
        .replace("points = ", "points = 100");
    write(&tamperer.join("course.toml"), &manifest);
    write(&tamperer.join("Cargo.toml"), "this is not a manifest\n");
    // The broken one: counter.rs does not compile; 01.2 is solved.
    let broken = class.join("4-broken");
    solve(&broken, "versioned.rs");
    solve_in(&broken, "06-shop", "checkout.rs");
    let counter = broken.join("exercises/01-concurrency/src/counter.rs");
    let mut text = std::fs::read_to_string(&counter).expect("counter.rs");
    text.push_str("\nfn broken() -> u64 {\n    \"not a number\"\n}\n");
    write(&counter, &text);
    class
}

/// The points of an exercise, from the repository's course.toml.
fn points(id: &str) -> u64 {
    let manifest = std::fs::read_to_string(root().join("course.toml")).expect("course.toml");
    let block = manifest
        .split("[[exercise]]")
        .find(|b| b.contains(&format!("id = \"{id}\"")))
        .expect("the exercise");
    block
        .lines()
        .find_map(|l| l.strip_prefix("points = "))
        .map_or(1, |p| p.trim().parse().expect("a number"))
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "racecourse grade failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// The report without the stubs' own panic messages, which name whichever
/// call reached the stub first (a race) with its arguments: the check that
/// failed and why stay, the stub's message goes.
fn stable(text: &str) -> String {
    const STUB: &str = "not yet implemented: ";
    let mut out = String::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(STUB) {
        let at = from + found + STUB.len();
        out.push_str(&text[from..at]);
        out.push_str("(the stub's message)");
        from = at + stub_message_len(text, at);
    }
    out.push_str(&text[from..]);
    out
}

/// How far the stub's message that starts at `at` runs: to the quote that
/// closes the string it is in, a reason's separator `; `, XML's `<` or the
/// line's end. Its arguments may hold quotes (a JSON body, a key's `Debug`),
/// escaped once more than the quote that closes it: in JSON, `\"` inside a
/// string; in a problem's JSON detail inside a JSON string, `\\\"` inside and
/// `\"` at its end.
fn stub_message_len(text: &str, at: usize) -> usize {
    let escapes = |quote: usize| {
        text[..quote]
            .bytes()
            .rev()
            .take_while(|&b| b == b'\\')
            .count()
    };
    let opening = text[..at].rfind('"').map_or(0, escapes);
    let tail = &text[at..];
    let closing = tail
        .match_indices('"')
        .map(|(i, _)| i)
        .find(|&i| escapes(at + i) == opening)
        .map(|i| i - opening);
    [closing, tail.find("; "), tail.find('<'), tail.find('\n')]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(tail.len())
}

#[test]
fn grades_a_class_from_the_pristine_spec_only() {
    let _turn = GRADING.lock().unwrap_or_else(|e| e.into_inner());
    let class = class();
    let class_arg = class.to_str().expect("UTF-8 path");

    let started = std::time::Instant::now();
    let json = stdout(&racecourse(&[
        "grade", "--class", class_arg, "--format", "json",
    ]));
    eprintln!(
        "graded the class of four in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let reports: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let total = |student: &str| {
        reports
            .as_array()
            .expect("a list")
            .iter()
            .find(|r| r["student"] == student)
            .unwrap_or_else(|| panic!("{student} graded"))["total"]
            .as_u64()
            .expect("a total")
    };
    let grade = |student: &str, id: &str| {
        reports
            .as_array()
            .expect("a list")
            .iter()
            .find(|r| r["student"] == student)
            .and_then(|r| r["exercises"].as_array())
            .and_then(|e| e.iter().find(|g| g["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("{student} {id} graded"))
    };
    let solved = points("01.1") + points("01.2") + points("01.3") + points("05.4") + points("06.1");
    assert_eq!(total("1-untouched"), 0);
    assert_eq!(total("2-solver"), solved);
    // 06.1 runs the student's 05.4 (course.toml's builds_on): without it the
    // checkout pays through 05.4's stub.
    let reason = grade("4-broken", "06.1")["reasons"][0].to_string();
    assert!(
        reason.contains("exercises/05-resilience/src/payments.rs"),
        "06.1 without 05.4 must fail on 05.4's stub, got {reason}"
    );
    assert_eq!(total("3-tamperer"), points("01.1"));
    assert_eq!(total("4-broken"), points("01.2"));
    assert_eq!(
        grade("4-broken", "01.1")["reasons"][0],
        format!(
            "does not compile: first error at exercises/01-concurrency/src/counter.rs:{}",
            std::fs::read_to_string(class.join("4-broken/exercises/01-concurrency/src/counter.rs"))
                .expect("counter.rs")
                .lines()
                .position(|l| l.contains("not a number"))
                .expect("the error")
                + 1
        )
    );
    insta::assert_snapshot!("class_json", stable(&json));

    let junit = stdout(&racecourse(&[
        "grade", "--class", class_arg, "--format", "junit",
    ]));
    insta::assert_snapshot!("class_junit", stable(&junit));

    let table = stdout(&racecourse(&["grade", "--class", class_arg]));
    let course = racecourse_manifest::Course::load(&root()).expect("course.toml");
    let most: u64 = course.exercises.iter().map(|e| u64::from(e.points)).sum();
    for (student, got) in [
        ("1-untouched", 0),
        ("2-solver", solved),
        ("3-tamperer", points("01.1")),
        ("4-broken", points("01.2")),
    ] {
        let line = format!("{student}  {got} / {most}");
        assert!(
            table.lines().any(|l| l == line),
            "no line {line:?} in the table:\n{table}"
        );
    }
}

#[test]
fn bad_arguments_get_one_line() {
    let empty = scratch("empty-class");
    let not_a_checkout = scratch("not-a-checkout");
    let cases: [(&[&str], &str); 4] = [
        (
            &["grade", "--student", not_a_checkout.to_str().expect("path")],
            "is not a course checkout",
        ),
        (
            &["grade", "--class", empty.to_str().expect("path")],
            "holds no checkout",
        ),
        (
            &["grade", "--student", ".", "--class", "."],
            "give one of --student PATH or --class DIR",
        ),
        (&["grade"], "give one of --student PATH or --class DIR"),
    ];
    for (args, expected) in cases {
        let output = racecourse(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains(expected) && stderr.trim().lines().count() == 1,
            "{args:?}: expected one line with {expected:?}, got:\n{stderr}"
        );
    }
}

/// Every `cargo xtask grade` / `racecourse grade` line in the classroom
/// workflows, as arguments after `grade`, with the shell's redirection gone.
fn grade_commands(yaml: &serde_yaml_ng::Value, found: &mut Vec<Vec<String>>) {
    match yaml {
        serde_yaml_ng::Value::String(text) => {
            for line in text.lines() {
                let words: Vec<&str> = line.split_whitespace().collect();
                let Some(at) = words
                    .windows(2)
                    .position(|w| w == ["xtask", "grade"] || w == ["racecourse", "grade"])
                else {
                    continue;
                };
                let args = words[at + 1..]
                    .iter()
                    .take_while(|w| !w.starts_with('>') && **w != "|")
                    .map(|w| w.to_string())
                    .collect();
                found.push(args);
            }
        }
        serde_yaml_ng::Value::Sequence(items) => {
            items.iter().for_each(|v| grade_commands(v, found));
        }
        serde_yaml_ng::Value::Mapping(map) => {
            map.values().for_each(|v| grade_commands(v, found));
        }
        _ => {}
    }
}

#[test]
fn classroom_workflows_are_yaml_and_their_commands_parse() {
    let not_a_checkout = scratch("ci-student");
    for file in ["classroom/github-classroom.yml", "classroom/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(root().join(file)).expect("the workflow");
        let yaml: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut commands = Vec::new();
        grade_commands(&yaml, &mut commands);
        assert!(!commands.is_empty(), "{file} runs no grade command");
        for mut args in commands {
            assert_eq!(args.first().map(String::as_str), Some("grade"), "{file}");
            // The student's path becomes one that is no checkout: the command
            // gets past clap and stops at the first check of the grader.
            if let Some(at) = args.iter().position(|a| a == "--student") {
                args[at + 1] = not_a_checkout.to_string_lossy().into_owned();
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = racecourse(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains("is not a course checkout"),
                "{file}: `racecourse {}` does not parse:\n{stderr}",
                args.join(" ")
            );
        }
    }
}
