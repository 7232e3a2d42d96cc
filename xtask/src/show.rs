//! `cargo xtask hint <id>`, `cargo xtask solution <id>` and `cargo xtask reset <id>`.

use crate::Ctx;
use crate::progress::Progress;
use racecourse_i18n::t;
use racecourse_manifest::Side;
use similar::TextDiff;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::Command;

pub fn hint(ctx: &Ctx, id: &str) -> anyhow::Result<()> {
    let exercise = ctx.exercise(id)?;
    let title = racecourse_i18n::exercise(id, "title", &exercise.title);
    println!("{} {title}: {}\n", exercise.id, t!("hint-heading"));
    println!(
        "{}",
        racecourse_i18n::exercise(id, "hint", exercise.hint.trim()).trim()
    );
    let file = ctx.course.file_of(exercise, Side::Exercises);
    println!("\n{}", t!("hint-then", file = file, id = id));
    Ok(())
}

/// The reference solution as a diff against the student's file, once the
/// exercise has been tried (its spec run by `cargo xtask test`), so that it
/// does not spoil by accident; `force` shows it anyway.
pub fn solution(ctx: &Ctx, id: &str, force: bool) -> anyhow::Result<()> {
    let exercise = ctx.exercise(id)?;
    let progress = Progress::load(&ctx.root, &ctx.course);
    let tried = progress.tried.contains(&exercise.id) || progress.done.contains(&exercise.id);
    if !tried && !force {
        anyhow::bail!("{}", t!("solution-not-tried", id = exercise.id));
    }
    let mine = ctx.course.file_of(exercise, Side::Exercises);
    let theirs = ctx.course.file_of(exercise, Side::Solutions);
    let (old, new) = (read(&ctx.root, &mine)?, read(&ctx.root, &theirs)?);
    print!(
        "{}",
        TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(3)
            .header(&mine, &theirs)
    );
    println!("\n{}", t!("solution-diff", theirs = theirs, mine = mine));
    Ok(())
}

/// Puts exercise `id`'s file back as the course shipped it, after asking
/// (`yes` skips the question), and keeps the student's version beside it.
pub fn reset(ctx: &Ctx, id: &str, yes: bool) -> anyhow::Result<()> {
    let exercise = ctx.exercise(id)?;
    let path = ctx.course.file_of(exercise, Side::Exercises);
    let (shipped, from) = shipped(&ctx.root, &path)?;
    let current = read(&ctx.root, &path)?;
    if current == shipped {
        println!("{}", t!("reset-nothing", path = path));
        return Ok(());
    }
    if !yes {
        print!("{} ", t!("reset-ask", path = path, from = from));
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("{}", t!("reset-unchanged"));
            return Ok(());
        }
    }
    let keep = free_name(&ctx.root, &format!("{path}.mine"));
    std::fs::write(ctx.root.join(&keep), &current)?;
    std::fs::write(ctx.root.join(&path), &shipped)?;
    println!("{}", t!("reset-done", path = path, keep = keep));
    Ok(())
}

fn read(root: &Path, path: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(root.join(path))
        .map_err(|e| anyhow::anyhow!("{}", t!("cannot-read", path = path, error = e.to_string())))
}

/// The file as the course shipped it: from the course's own branch
/// (`origin/HEAD`, `origin/main`), else from the last commit; and which.
fn shipped(root: &Path, path: &str) -> anyhow::Result<(String, String)> {
    for reference in ["origin/HEAD", "origin/main", "HEAD"] {
        let output = Command::new("git")
            .current_dir(root)
            .args(["show", &format!("{reference}:{path}")])
            .stderr(std::process::Stdio::null())
            .output();
        if let Some(output) = output.ok().filter(|o| o.status.success()) {
            return Ok((
                String::from_utf8(output.stdout)?,
                format!("git {reference}"),
            ));
        }
    }
    anyhow::bail!("{}", t!("reset-no-git", path = path))
}

/// `base`, or `base.2`, `base.3`, ...: the first that does not exist yet.
fn free_name(root: &Path, base: &str) -> String {
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}.{n}")))
        .find(|name| !root.join(name).exists())
        .expect("some name is free")
}
