//! `cargo xtask test <id>`: one exercise's spec, with the failures explained,
//! the file to edit named, and the way to a hint.

use crate::containers::Containers;
use crate::progress::Progress;
use crate::{Ctx, cargo};
use racecourse_i18n::t;
use racecourse_manifest::Side;

pub fn run(ctx: &Ctx, id: &str, solution: bool) -> anyhow::Result<()> {
    let exercise = ctx.exercise(id)?;
    let module = ctx.course.module_of(exercise);
    let side = if solution {
        Side::Solutions
    } else {
        Side::Exercises
    };
    let file = ctx.course.file_of(exercise, side);
    let title = racecourse_i18n::exercise(id, "title", &exercise.title);
    println!("{} {title}  ({})", exercise.id, exercise.store());
    println!("  {}", t!("test-edit", file = file));
    println!("  {}", t!("test-hint", id = exercise.id));
    for earlier in ctx.course.builds_on(exercise) {
        let file = ctx.course.file_of(earlier, side);
        println!(
            "  {}",
            t!("test-builds-on", id = earlier.id.as_str(), file = file)
        );
    }
    let containers = Containers::provide(&ctx.root, exercise.services.iter().map(String::as_str))?;
    let run = cargo::spec(&ctx.root, module, side, &exercise.tests, &containers)?;
    let record = |passed| {
        if side == Side::Exercises {
            // Progress is bookkeeping: a file that cannot be written costs the
            // student nothing but the record.
            if let Err(e) = Progress::record(&ctx.root, &ctx.course, &exercise.id, passed, true) {
                eprintln!(
                    "{}",
                    t!("test-progress-not-recorded", error = e.to_string())
                );
            }
        }
    };
    if !run.compiled {
        record(Some(false));
        anyhow::bail!("{}", t!("test-does-not-compile", file = file, id = id));
    }
    let outcomes: Vec<_> = run.matching(&exercise.tests).collect();
    if outcomes.is_empty() {
        anyhow::bail!(
            "no spec test starts with {} (course.toml's `tests` for {id})",
            exercise.tests
        );
    }
    let mut failed = 0;
    for (name, outcome) in &outcomes {
        let check = name.trim_start_matches(exercise.tests.as_str());
        let check = racecourse_i18n::check_name(&exercise.id, check);
        if outcome.passed {
            println!("  {}", t!("test-check-ok", check = check));
        } else {
            failed += 1;
            println!("  {}", t!("test-check-failed", check = check));
            for line in cargo::explanation(&outcome.output).lines() {
                println!("      {line}");
            }
        }
    }
    let service = outcomes
        .iter()
        .find_map(|(_, o)| cargo::missing_service(&o.output));
    record(if service.is_some() {
        None
    } else {
        Some(failed == 0)
    });
    if failed == 0 {
        let next = match Progress::load(&ctx.root, &ctx.course).next(&ctx.course) {
            Some(next) if side == Side::Exercises => format!("`cargo xtask test {next}`"),
            _ => "`cargo xtask list`".to_string(),
        };
        println!(
            "\n{}",
            t!("test-passes", id = id, count = outcomes.len(), next = next)
        );
        return Ok(());
    }
    println!();
    match service {
        Some(service) => println!("{}", t!("test-service-missing", service = service)),
        None => println!(
            "{}",
            t!(
                "test-some-pass",
                id = id,
                passed = outcomes.len() - failed,
                count = outcomes.len(),
                file = file
            )
        ),
    }
    drop(containers); // exit skips destructors: remove the containers first
    std::process::exit(1);
}
