//! `racecourse watch` in a real terminal, driven through tmux: saving a
//! correct file turns the exercise green without restarting the runner, and
//! `--manual` runs again on Enter, not on a save.
//!
//! It edits exercise 01.1's file in this checkout (the solution is written
//! in, then the file is put back), so the file and the progress are restored
//! on the way out, even when the test fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Long enough for a first build of the runner's heavy half on a loaded
/// 2-core machine; a passing run takes seconds.
const PATIENCE: Duration = Duration::from_secs(300);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

/// Files put back as they were when dropped.
struct Restore(Vec<(PathBuf, Option<Vec<u8>>)>);

impl Restore {
    fn keep(paths: &[PathBuf]) -> Restore {
        Restore(
            paths
                .iter()
                .map(|p| (p.clone(), std::fs::read(p).ok()))
                .collect(),
        )
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        for (path, bytes) in &self.0 {
            let _ = match bytes {
                Some(bytes) => std::fs::write(path, bytes),
                None => std::fs::remove_file(path),
            };
        }
    }
}

/// A detached tmux session running `command`, killed when dropped.
struct Session(String);

impl Session {
    fn start(name: &str, command: &str) -> Session {
        let name = format!("{name}-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "200",
                "-y",
                "60",
                command,
            ])
            .status()
            .expect("tmux starts");
        assert!(status.success(), "tmux new-session failed");
        Session(name)
    }

    fn screen(&self) -> String {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Waits until the screen shows `text`; panics with the screen if it does not.
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("the screen never showed {text:?}:\n{}", self.screen());
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.0];
        args.extend_from_slice(keys);
        Command::new("tmux")
            .args(&args)
            .status()
            .expect("tmux send-keys");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

#[test]
fn watch_turns_green_on_save_and_manual_mode_runs_on_enter() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: this test drives a terminal through tmux, and there is no tmux");
        return;
    }
    let root = root();
    let exercise = root.join("exercises/01-concurrency/src/counter.rs");
    let _restore = Restore::keep(&[
        exercise.clone(),
        root.join(".racecourse-progress"),
        root.join("target/racecourse/tried"),
    ]);
    let shipped = Command::new("git")
        .current_dir(&root)
        .args(["show", "HEAD:exercises/01-concurrency/src/counter.rs"])
        .output()
        .expect("git");
    std::fs::write(&exercise, &shipped.stdout).expect("the stub back in place");
    let runner = env!("CARGO_BIN_EXE_racecourse");
    // tmux runs the command in its server's environment: pass on the search
    // paths cargo test set (for cargo, and for Rust's dynamic std).
    let vars: Vec<String> = [
        "PATH",
        "LD_LIBRARY_PATH",
        "DYLD_FALLBACK_LIBRARY_PATH",
        "CARGO",
    ]
    .iter()
    .filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}='{v}'")))
    .collect();
    let cd = format!("cd '{}' && env {} ", root.display(), vars.join(" "));

    // Saving a correct file turns the exercise green, in the same session.
    let watch = Session::start("rc-watch", &format!("{cd}{runner} watch 01.1"));
    watch.wait_for("0 of 2 checks pass");
    assert!(watch.screen().contains("run 1"));
    let solution =
        std::fs::read(root.join("solutions/01-concurrency/src/counter.rs")).expect("the solution");
    std::fs::write(&exercise, solution).expect("save the solution");
    watch.wait_for("01.1 passes. Enter: go on to");
    assert!(!watch.screen().contains("run 1 "), "the save ran it again");
    watch.keys(&["q", "Enter"]);
    drop(watch);

    // --manual: a save changes nothing; Enter runs again.
    std::fs::write(&exercise, &shipped.stdout).expect("the stub back in place");
    let manual = Session::start("rc-manual", &format!("{cd}{runner} watch 01.1 --manual"));
    manual.wait_for("0 of 2 checks pass");
    std::fs::write(&exercise, &shipped.stdout).expect("save again");
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        manual.screen().contains("run 1 "),
        "a save ran it in manual mode:\n{}",
        manual.screen()
    );
    manual.keys(&["Enter"]);
    manual.wait_for("run 2 ");
    manual.wait_for("0 of 2 checks pass");
    manual.keys(&["q", "Enter"]);
}
