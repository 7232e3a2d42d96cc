//! The runner's end of a module's gallery (`modules/NN/tests/gallery.rs`, a
//! test binary without libtest; its code is in modules/kit/src/gallery.rs): the
//! naive code and the wrong fixes of each exercise, which its spec must catch.
//! `verify` runs the whole gallery through cargo; `stress` runs one suspect's
//! binary directly (`--once`). Both read what it prints here.

use crate::cargo;
use crate::containers::Containers;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;

/// One line of the gallery's `--list`: a wrong implementation of one exercise.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    /// The exercise: "01.4".
    pub exercise: String,
    /// `naive`, or the wrong fix's name: what `stress --impl` takes.
    pub name: String,
    pub title: String,
    /// The names of the exercise's checks the gallery runs on it.
    pub checks: BTreeSet<String>,
}

impl Suspect {
    /// `01.4/naive`: how the gallery names it.
    pub fn id(&self) -> String {
        format!("{}/{}", self.exercise, self.name)
    }
}

/// Reads `--list`: `01.4/naive<TAB>read then update<TAB>never_oversells,held_lock_times_out`.
pub fn parse_list(stdout: &str) -> Vec<Suspect> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let (exercise, name) = fields.next()?.trim().split_once('/')?;
            let title = fields.next()?.trim().to_string();
            let checks = fields
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect();
            Some(Suspect {
                exercise: exercise.to_string(),
                name: name.to_string(),
                title,
                checks,
            })
        })
        .collect()
}

/// One suspect's line of a gallery run.
#[derive(Debug, Clone, PartialEq)]
pub struct Proof {
    /// `01.4/naive`.
    pub id: String,
    /// Caught in every run (the gallery's `ok`).
    pub ok: bool,
    pub caught: u32,
    pub runs: u32,
    pub title: String,
    /// The gallery's indented lines under a `FAIL`, unindented.
    pub detail: String,
}

impl Proof {
    /// The line as the gallery printed it, without `ok`/`FAIL`.
    pub fn summary(&self) -> String {
        format!(
            "{} caught {} of {} runs ({})",
            self.id, self.caught, self.runs, self.title
        )
    }
}

/// Reads a gallery run: `ok    01.4/naive   caught 3 of 3 runs (title)` or
/// `FAIL  ...` lines followed by detail lines indented 8 spaces, and whether
/// the closing `test result:` line came (if not, the gallery stopped early).
pub fn parse_report(stdout: &str) -> (Vec<Proof>, bool) {
    let mut proofs: Vec<Proof> = Vec::new();
    let mut finished = false;
    let mut in_detail = false;
    for line in stdout.lines() {
        if let Some(proof) = parse_verdict(line) {
            in_detail = !proof.ok;
            proofs.push(proof);
            continue;
        }
        if line.starts_with("test result:") {
            finished = true;
        }
        match (in_detail, line.strip_prefix("        "), proofs.last_mut()) {
            (true, Some(detail), Some(proof)) => {
                proof.detail.push_str(detail);
                proof.detail.push('\n');
            }
            _ => in_detail = false,
        }
    }
    (proofs, finished)
}

fn parse_verdict(line: &str) -> Option<Proof> {
    let (ok, rest) = match line.strip_prefix("ok    ") {
        Some(rest) => (true, rest),
        None => (false, line.strip_prefix("FAIL  ")?),
    };
    let (id, rest) = rest.trim_start().split_once(' ')?;
    let rest = rest.trim_start().strip_prefix("caught ")?;
    let (caught, rest) = rest.split_once(" of ")?;
    let (runs, rest) = rest.split_once(" runs")?;
    let title = rest.trim();
    let title = title
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(title);
    Some(Proof {
        id: id.to_string(),
        ok,
        caught: caught.trim().parse().ok()?,
        runs: runs.trim().parse().ok()?,
        title: title.to_string(),
        detail: String::new(),
    })
}

/// A module's whole gallery, as `verify` runs it.
pub struct GalleryRun {
    pub suspects: Vec<Suspect>,
    pub proofs: Vec<Proof>,
    /// Why the gallery could not be listed or did not finish its run, if so.
    pub problem: Option<String>,
}

impl GalleryRun {
    /// The suspects of exercise `id`, in the gallery's order.
    pub fn of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Suspect> {
        self.suspects.iter().filter(move |s| s.exercise == id)
    }

    pub fn proof(&self, suspect: &Suspect) -> Option<&Proof> {
        let id = suspect.id();
        self.proofs.iter().find(|p| p.id == id)
    }
}

/// Lists the gallery of `package`, then runs every suspect `runs` times with
/// the services in `containers`.
pub fn prove(
    root: &Path,
    package: &str,
    runs: u32,
    containers: &Containers,
) -> anyhow::Result<GalleryRun> {
    let listed = through_cargo(root, package, &["--list"], containers)?;
    if !listed.0 {
        return Ok(GalleryRun {
            suspects: Vec::new(),
            proofs: Vec::new(),
            problem: Some(did_not_run(package, &listed.1, &listed.2)),
        });
    }
    let suspects = parse_list(&listed.1);
    let runs = runs.to_string();
    let (_, stdout, stderr) = through_cargo(root, package, &["--runs", &runs], containers)?;
    let (proofs, finished) = parse_report(&stdout);
    Ok(GalleryRun {
        suspects,
        proofs,
        problem: (!finished).then(|| did_not_run(package, &stdout, &stderr)),
    })
}

/// `cargo test --quiet -p <package> --test gallery -- <args>`: whether it
/// succeeded, its stdout and its stderr.
fn through_cargo(
    root: &Path,
    package: &str,
    args: &[&str],
    containers: &Containers,
) -> anyhow::Result<(bool, String, String)> {
    let mut full = vec!["test", "--quiet", "-p", package, "--test", "gallery", "--"];
    full.extend_from_slice(args);
    let mut cmd = cargo::command(root, &full);
    containers.apply(&mut cmd);
    let output = cmd
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

fn did_not_run(package: &str, stdout: &str, stderr: &str) -> String {
    let all = format!("{stdout}{stderr}");
    let lines: Vec<&str> = all.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(20)..];
    format!(
        "the gallery did not run to its end (`cargo test -p {package} --test gallery`):\n{}",
        tail.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_list() {
        let list = "01.1/naive\tread, yield, write\tlocked_counter_loses_nothing,atomic_counter_loses_nothing\n\
                    01.4/positive-check\tchecks the stock is positive\tnever_oversells\n\
                    not a suspect line\n";
        let suspects = parse_list(list);
        assert_eq!(suspects.len(), 2);
        assert_eq!(suspects[0].id(), "01.1/naive");
        assert_eq!(suspects[0].title, "read, yield, write");
        assert_eq!(
            suspects[0].checks.iter().collect::<Vec<_>>(),
            [
                "atomic_counter_loses_nothing",
                "locked_counter_loses_nothing"
            ]
        );
        assert_eq!(suspects[1].exercise, "01.4");
        assert_eq!(suspects[1].name, "positive-check");
    }

    #[test]
    fn reads_verdicts_and_their_details() {
        let report = [
            "",
            "running 3 catch proofs, 3 runs each",
            "ok    01.4/naive                   caught 3 of 3 runs (read then update)",
            "FAIL  01.4/positive-check          caught 2 of 3 runs (checks the stock (once) is positive)",
            "        run 2: the spec passed: it cannot tell this wrong code from a fix",
            "          second line",
            "ok    01.1/naive                   caught 3 of 3 runs (read, yield, write)",
            "",
            "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.23s",
        ]
        .join("\n");
        let (proofs, finished) = parse_report(&report);
        assert!(finished);
        assert_eq!(proofs.len(), 3);
        assert!(proofs[0].ok && proofs[0].detail.is_empty());
        assert_eq!(proofs[1].id, "01.4/positive-check");
        assert!(!proofs[1].ok);
        assert_eq!((proofs[1].caught, proofs[1].runs), (2, 3));
        assert_eq!(proofs[1].title, "checks the stock (once) is positive");
        assert_eq!(
            proofs[1].detail,
            "run 2: the spec passed: it cannot tell this wrong code from a fix\n  second line\n"
        );
        assert_eq!(
            proofs[2].summary(),
            "01.1/naive caught 3 of 3 runs (read, yield, write)"
        );
    }

    #[test]
    fn a_run_without_its_closing_line_did_not_finish() {
        let (proofs, finished) =
            parse_report("ok    01.1/naive   caught 1 of 1 runs (read, yield, write)\n");
        assert_eq!(proofs.len(), 1);
        assert!(!finished);
        assert!(!parse_report("").1);
    }
}
