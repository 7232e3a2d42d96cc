//! One variant of each crate, whatever the package selection.
//!
//! Cargo turns on a dependency's features according to the packages it was
//! asked to build, so `cargo test` (the whole workspace) and `cargo xtask test
//! 01.1` (`-p racecourse-01-exercises`) can build two variants of one crate.
//! That costs a rebuild at each switch, and for a module's dynamic library,
//! whose file name has no hash, it is worse: one variant overwrites the other
//! and the spec no longer links. The workspace pins the features that differ
//! (Cargo.toml); this check says when a new dependency brings new ones.

use crate::cargo;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;

/// Each crate (`name vX.Y.Z`) with the features turned on.
type Features = BTreeMap<String, BTreeSet<String>>;

/// For each of `packages`, the crates whose features differ from the whole
/// workspace's, as lines to print; empty when every selection agrees.
pub fn differences(root: &Path, packages: &[&str]) -> anyhow::Result<Vec<String>> {
    let whole = features(root, &["--workspace"])?;
    let mut lines = Vec::new();
    for package in packages {
        for (krate, on) in features(root, &["-p", package])? {
            let Some(everywhere) = whole.get(&krate) else {
                continue;
            };
            if *everywhere != on {
                let extra: Vec<_> = everywhere.difference(&on).cloned().collect();
                lines.push(format!(
                    "-p {package} builds {krate} without the features [{}] that the workspace turns on: pin them in [workspace.dependencies] and racecourse-kit",
                    extra.join(", ")
                ));
            }
        }
    }
    Ok(lines)
}

/// The features of every crate in `selection`'s build, from `cargo tree`.
fn features(root: &Path, selection: &[&str]) -> anyhow::Result<Features> {
    let mut args = vec![
        "tree",
        "--quiet",
        "-e",
        "normal,build,dev",
        "--prefix",
        "none",
        "-f",
        "{p} [{f}]",
    ];
    args.extend_from_slice(selection);
    let output = cargo::command(root, &args)
        .stdout(Stdio::piped())
        .output()?;
    anyhow::ensure!(output.status.success(), "`cargo {}` failed", args.join(" "));
    Ok(parse(&String::from_utf8_lossy(&output.stdout)))
}

/// Reads `name vX.Y.Z [(path)] [f1,f2]` lines; a crate listed twice (a build
/// dependency and a normal one) keeps the union.
fn parse(tree: &str) -> Features {
    let mut crates = Features::new();
    for line in tree.lines() {
        let Some((head, rest)) = line.split_once(" [") else {
            continue;
        };
        let mut words = head.split(' ');
        let (Some(name), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        let list = rest.split(']').next().unwrap_or("");
        crates
            .entry(format!("{name} {version}"))
            .or_default()
            .extend(list.split(',').filter(|f| !f.is_empty()).map(String::from));
    }
    crates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_crates_and_their_features() {
        let tree = "racecourse-kit v0.1.0 (/r/modules/kit) []\nlog v0.4.35 [std]\nlog v0.4.35 [alloc]\nbytes v1.11.0 [] (*)\n";
        let crates = parse(tree);
        assert_eq!(
            crates["log v0.4.35"],
            ["alloc", "std"].map(String::from).into()
        );
        assert!(crates["bytes v1.11.0"].is_empty());
        assert!(crates.contains_key("racecourse-kit v0.1.0"));
    }
}
