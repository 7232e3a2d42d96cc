//! `cargo xtask hint <id>`, `cargo xtask solution <id>` and `cargo xtask reset <id>`.

use crate::Ctx;
use crate::progress::Progress;
use racecourse_manifest::Side;
use similar::TextDiff;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::Command;

pub fn hint(ctx: &Ctx, id: &str) -> anyhow::Result<()> {
    let exercise = ctx.exercise(id)?;
    println!("{} {}: a hint\n", exercise.id, exercise.title);
    println!("{}", exercise.hint.trim());
    println!(
        "\nEdit {}, then `cargo xtask test {id}`. Still stuck? `cargo xtask solution {id}`.",
        ctx.course.file_of(exercise, Side::Exercises)
    );
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
        anyhow::bail!(
            "{} is not tried yet: run `cargo xtask test {}` first (or `cargo xtask solution {} --force` to see it anyway)",
            exercise.id,
            exercise.id,
            exercise.id
        );
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
    println!("\nThat is {theirs}, as a diff from your {mine} (- yours, + the solution's).");
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
        println!("{path} is as shipped already: nothing to reset.");
        return Ok(());
    }
    if !yes {
        print!("Put {path} back as shipped ({from})? Your version is kept beside it. [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing changed.");
            return Ok(());
        }
    }
    let keep = free_name(&ctx.root, &format!("{path}.mine"));
    std::fs::write(ctx.root.join(&keep), &current)?;
    std::fs::write(ctx.root.join(&path), &shipped)?;
    println!("{path} is back as shipped; your version is in {keep}.");
    Ok(())
}

fn read(root: &Path, path: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(root.join(path)).map_err(|e| anyhow::anyhow!("cannot read {path}: {e}"))
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
    anyhow::bail!("git does not know {path}: `cargo xtask reset` needs the course as a git clone")
}

/// `base`, or `base.2`, `base.3`, ...: the first that does not exist yet.
fn free_name(root: &Path, base: &str) -> String {
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}.{n}")))
        .find(|name| !root.join(name).exists())
        .expect("some name is free")
}
