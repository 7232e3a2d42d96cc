//! `racecourse-tools watch --runner <racecourse> [ID] [--manual]`: the
//! student's loop without typing the command. `cargo xtask watch` starts it.
//!
//! It runs `<racecourse> test <id>` again whenever a source file of the
//! exercise's crate is saved (the notify crate; events within 100 ms count as
//! one save), after clearing the screen, so the verdict is always the only
//! thing on it. Each run is the runner's own `test`, so a save reaches its
//! verdict as fast as `cargo xtask test` would. Lines typed on standard input
//! are the keys: Enter runs again (or, after a pass, goes on to the next
//! exercise), `h` shows the hint, `l` the list, `n` the next exercise, `q`
//! quits. `--manual` ignores saves, for file systems whose change events do not
//! arrive (WSL2 on a Windows drive, network drives): Enter runs.

use notify::{EventKind, RecursiveMode, Watcher};
use racecourse_kit::i18n::t;
use racecourse_kit::manifest::{Course, Side, repo_root};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// Saves closer together than this are one save (an editor writes a file in
/// several steps).
const DEBOUNCE: Duration = Duration::from_millis(100);

enum Event {
    Saved,
    Line(String),
    InputClosed,
}

pub fn run(runner: &Path, id: Option<String>, manual: bool) -> anyhow::Result<()> {
    let root = repo_root();
    let course = Course::load(&root)?;
    let mut id = match id {
        Some(id) => id,
        None => next_of(runner).ok_or_else(|| anyhow::anyhow!("every exercise is done"))?,
    };
    let (tx, events) = mpsc::channel();
    spawn_input(tx.clone());
    // Kept alive for as long as the loop runs: dropping it stops the events.
    let _watcher = if manual {
        None
    } else {
        let dirs: Vec<PathBuf> = course
            .modules
            .iter()
            .map(|m| root.join(Side::Exercises.dir()).join(&m.dir).join("src"))
            .collect();
        Some(watch(&dirs, tx)?)
    };
    let mut runs = 0;
    loop {
        runs += 1;
        let passed = show_run(runner, &course, &id, runs, manual)?;
        let next = passed.then(|| next_of(runner)).flatten();
        match &next {
            Some(next) => println!("\n{}", t!("watch-passes", id = id, next = next)),
            None if passed => println!("\n{}", t!("watch-all-done", id = id)),
            None => {}
        }
        match wait(&events) {
            Event::Saved => {}
            Event::InputClosed => return Ok(()),
            Event::Line(line) => match line.trim() {
                "q" => return Ok(()),
                "h" => {
                    runner_command(runner, &["hint", &id]).status()?;
                    wait_for_enter(&events);
                }
                "l" => {
                    runner_command(runner, &["list"]).status()?;
                    wait_for_enter(&events);
                }
                "n" => {
                    if let Some(next) = next.or_else(|| next_of(runner)) {
                        id = next;
                    }
                }
                "" => {
                    if let Some(next) = next {
                        id = next;
                    }
                }
                _ => {}
            },
        }
    }
}

/// Clears the screen and runs the exercise's spec; true when it passes.
fn show_run(
    runner: &Path,
    course: &Course,
    id: &str,
    runs: u32,
    manual: bool,
) -> anyhow::Result<bool> {
    print!("\x1b[2J\x1b[H");
    let file = course
        .exercise(id)
        .map(|e| course.file_of(e, Side::Exercises))
        .unwrap_or_default();
    let trigger = if manual {
        t!("watch-trigger-enter")
    } else {
        t!("watch-trigger-save")
    };
    println!(
        "{}\n",
        t!("watch-heading", id = id, file = file, runs = runs, trigger = trigger)
    );
    Ok(runner_command(runner, &["test", id]).status()?.success())
}

fn runner_command(runner: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(runner);
    cmd.args(args);
    cmd
}

/// The next exercise not done, as `<racecourse> list --next` says.
fn next_of(runner: &Path) -> Option<String> {
    let output = runner_command(runner, &["list", "--next"]).output().ok()?;
    let next = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !next.is_empty() && next != "all done").then_some(next)
}

/// Sends a `Saved` for each change to a `.rs` file in `dirs`.
fn watch(dirs: &[PathBuf], tx: Sender<Event>) -> anyhow::Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let written = matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_));
        let source = event
            .paths
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "rs"));
        if written && source {
            let _ = tx.send(Event::Saved);
        }
    })?;
    for dir in dirs {
        watcher.watch(dir, RecursiveMode::Recursive)?;
    }
    Ok(watcher)
}

/// Reads standard input line by line on its own thread.
fn spawn_input(tx: Sender<Event>) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(Event::Line(line)).is_err() {
                return;
            }
        }
        let _ = tx.send(Event::InputClosed);
    });
}

/// The next event, with the saves of one burst taken as one. A key typed
/// during the burst wins over it.
fn wait(events: &Receiver<Event>) -> Event {
    let Ok(event) = events.recv() else {
        return Event::InputClosed;
    };
    if !matches!(event, Event::Saved) {
        return event;
    }
    loop {
        match events.recv_timeout(DEBOUNCE) {
            Ok(Event::Saved) => continue,
            Ok(other) => return other,
            Err(_) => return Event::Saved,
        }
    }
}

/// After a hint or the list: back to the verdict on Enter (or a save).
fn wait_for_enter(events: &Receiver<Event>) {
    println!("\n{}", t!("watch-back"));
    let _ = wait(events);
}
