//! `cargo xtask list`: every exercise and where the student stands on it, from
//! `.racecourse-progress` (progress.rs), at once. `--check` runs every spec
//! first and brings the progress up to date; `--next` prints the next id only.

use crate::containers::Containers;
use crate::progress::Progress;
use crate::{Ctx, cargo};
use racecourse_i18n::t;
use racecourse_manifest::Side;

pub fn run(ctx: &Ctx, next_only: bool, check: bool) -> anyhow::Result<()> {
    if check {
        check_all(ctx)?;
    }
    let progress = Progress::load(&ctx.root, &ctx.course);
    for note in &progress.notes {
        eprintln!("{note}");
    }
    let next = progress.next(&ctx.course);
    if next_only {
        match next {
            Some(id) => println!("{id}"),
            None => println!("all done"), // read by `watch`: not translated
        }
        return Ok(());
    }
    let titles: Vec<String> = ctx
        .course
        .exercises
        .iter()
        .map(|e| racecourse_i18n::exercise(&e.id, "title", &e.title))
        .collect();
    let width = titles.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    let (done, tried) = (t!("list-done"), t!("list-tried"));
    println!();
    for (exercise, title) in ctx.course.exercises.iter().zip(&titles) {
        let status = if progress.done.contains(&exercise.id) {
            done.as_str()
        } else if progress.tried.contains(&exercise.id) {
            tried.as_str()
        } else {
            "-"
        };
        let mark = if Some(exercise.id.as_str()) == next {
            ">"
        } else {
            " "
        };
        println!(
            "{mark} {:<5} {title:<width$}  {:<11} {status:<6} {}",
            exercise.id,
            exercise.store(),
            ctx.course.file_of(exercise, Side::Exercises)
        );
    }
    let total = ctx.course.exercises.len();
    let done = progress.done.len();
    println!("\n{}", t!("list-summary", done = done, total = total));
    match next {
        Some(id) => println!("{}", t!("list-next", id = id)),
        None => println!("{}", t!("list-all-done")),
    }
    Ok(())
}

/// Runs every module's spec against the student's code and records each
/// exercise's verdict, as `cargo xtask test` would, but not as a try: a
/// solution stays hidden until its exercise is tried by its id.
fn check_all(ctx: &Ctx) -> anyhow::Result<()> {
    let containers = Containers::provide(&ctx.root, ctx.course.services())?;
    for module in &ctx.course.modules {
        let run = cargo::spec(&ctx.root, module, Side::Exercises, "", &containers)?;
        for exercise in ctx.course.exercises_of(module) {
            let outcomes: Vec<_> = run.matching(&exercise.tests).map(|(_, o)| o).collect();
            let service = outcomes
                .iter()
                .find_map(|o| cargo::missing_service(&o.output));
            if let Some(service) = service {
                eprintln!("{}", t!("list-needs", id = exercise.id, service = service));
            }
            let passed = run.compiled && !outcomes.is_empty() && outcomes.iter().all(|o| o.passed);
            let verdict = if service.is_some() {
                None
            } else {
                Some(passed)
            };
            Progress::record(&ctx.root, &ctx.course, &exercise.id, verdict, false)?;
        }
    }
    Ok(())
}
