//! `cargo xtask hint <id>` and `cargo xtask solution <id>`.

use crate::Ctx;
use racecourse_manifest::Side;

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

pub fn solution(ctx: &Ctx, id: &str) -> anyhow::Result<()> {
    let exercise = ctx.exercise(id)?;
    let path = ctx.course.file_of(exercise, Side::Solutions);
    let text = std::fs::read_to_string(ctx.root.join(&path))?;
    println!("{text}");
    println!(
        "That is {path}. To see only your part: diff -u {} {path}",
        ctx.course.file_of(exercise, Side::Exercises)
    );
    Ok(())
}
