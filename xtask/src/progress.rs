//! Where a student stands: `.racecourse-progress` at the repository's root,
//! one id per line of the exercises done, in plain text that git ignores, so
//! a student can read it, and copy it from one machine to another.
//!
//! `cargo xtask test` writes it: a pass adds the exercise, a failure takes it
//! out again. The exercises tried (their spec run at least once), which is what
//! lets `solution` show a solution, are kept apart in `target/racecourse/tried`:
//! runner state, not progress.

use racecourse_i18n::t;
use racecourse_manifest::Course;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The exercises done and tried, by their current ids.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: BTreeSet<String>,
    pub tried: BTreeSet<String>,
    /// One line for each id in the files that the course no longer has.
    pub notes: Vec<String>,
    /// Those ids in the progress file, written back as they were: a later
    /// version of the course may know them again.
    unknown: Vec<String>,
}

impl Progress {
    /// Reads both files. A missing file is no progress; an id the course no
    /// longer has is dropped with a note; an old id (an exercise's `aliases`)
    /// counts for the exercise's current one.
    pub fn load(root: &Path, course: &Course) -> Progress {
        let mut progress = Progress::default();
        let done = std::fs::read_to_string(done_file(root)).unwrap_or_default();
        for id in done.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match current_id(course, id) {
                Some(current) => {
                    progress.done.insert(current.to_string());
                }
                None => {
                    progress.notes.push(t!("progress-unknown", id = id));
                    progress.unknown.push(id.to_string());
                }
            }
        }
        let tried = std::fs::read_to_string(tried_file(root)).unwrap_or_default();
        progress.tried = tried
            .lines()
            .filter_map(|id| current_id(course, id.trim()))
            .map(String::from)
            .collect();
        progress
    }

    /// Records a spec run of exercise `id`: done (`Some(true)`), not done
    /// (`Some(false)`) or left as it was (`None`: a service was missing, so
    /// the run said nothing of the code); and, for a run the student asked
    /// for by its id (`attempt`), tried.
    pub fn record(
        root: &Path,
        course: &Course,
        id: &str,
        passed: Option<bool>,
        attempt: bool,
    ) -> std::io::Result<()> {
        let mut progress = Progress::load(root, course);
        if attempt {
            progress.tried.insert(id.to_string());
        }
        match passed {
            Some(true) => progress.done.insert(id.to_string()),
            Some(false) => progress.done.remove(id),
            None => false,
        };
        write(
            &done_file(root),
            progress.done.iter().chain(&progress.unknown),
        )?;
        let tried = tried_file(root);
        std::fs::create_dir_all(tried.parent().expect("target/racecourse"))?;
        write(&tried, &progress.tried)
    }

    /// The first exercise in the course's order that is not done.
    pub fn next<'a>(&self, course: &'a Course) -> Option<&'a str> {
        course
            .exercises
            .iter()
            .map(|e| e.id.as_str())
            .find(|id| !self.done.contains(*id))
    }
}

fn done_file(root: &Path) -> PathBuf {
    root.join(".racecourse-progress")
}

fn tried_file(root: &Path) -> PathBuf {
    root.join("target/racecourse/tried")
}

/// The id `id` has now: itself, or the exercise that lists it as an alias.
fn current_id<'a>(course: &'a Course, id: &str) -> Option<&'a str> {
    course
        .exercises
        .iter()
        .find(|e| e.id == id || e.aliases.iter().any(|a| a == id))
        .map(|e| e.id.as_str())
}

/// One id per line.
fn write<'a>(file: &Path, ids: impl IntoIterator<Item = &'a String>) -> std::io::Result<()> {
    let mut text = String::new();
    for id in ids {
        text.push_str(id);
        text.push('\n');
    }
    std::fs::write(file, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course() -> Course {
        let mut course = Course::embedded();
        course.exercises[1].aliases = vec!["01.9".into()];
        course
    }

    #[test]
    fn keeps_done_and_tried_and_maps_old_ids() {
        let root = std::env::temp_dir().join(format!("rc-progress-{}", std::process::id()));
        std::fs::create_dir_all(&root).expect("a temp folder");
        let course = course();
        std::fs::write(root.join(".racecourse-progress"), "01.1\n01.9\n07.7\n\n").expect("write");
        let progress = Progress::load(&root, &course);
        assert_eq!(progress.done, ["01.1", "01.2"].map(String::from).into());
        assert_eq!(progress.notes.len(), 1, "{:?}", progress.notes);
        assert!(progress.notes[0].contains("07.7"));
        assert_eq!(progress.next(&course), Some("01.3"));

        Progress::record(&root, &course, "01.3", Some(true), true).expect("record");
        Progress::record(&root, &course, "01.1", Some(false), true).expect("record");
        let progress = Progress::load(&root, &course);
        assert_eq!(progress.done, ["01.2", "01.3"].map(String::from).into());
        assert_eq!(
            progress.unknown,
            ["07.7"],
            "an unknown id stays in the file"
        );
        assert_eq!(progress.tried, ["01.1", "01.3"].map(String::from).into());
        assert_eq!(progress.next(&course), Some("01.1"));
        std::fs::remove_dir_all(&root).expect("clean up");
    }
}
