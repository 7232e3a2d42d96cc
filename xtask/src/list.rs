//! `cargo xtask list`: every exercise and where the student stands on it.

use crate::containers::Containers;
use crate::{Ctx, cargo};
use racecourse_manifest::Side;

pub fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let mut next = None;
    let mut rows = Vec::new();
    let containers = Containers::provide(&ctx.root, ctx.course.services())?;
    for module in &ctx.course.modules {
        let run = cargo::spec(&ctx.root, module, Side::Exercises, "", &containers)?;
        for exercise in ctx.course.exercises_of(module) {
            let outcomes: Vec<_> = run.matching(&exercise.tests).map(|(_, o)| o).collect();
            let status = if !run.compiled {
                "does not compile".to_string()
            } else if !outcomes.is_empty() && outcomes.iter().all(|o| o.passed) {
                "done".to_string()
            } else if let Some(service) = outcomes
                .iter()
                .find_map(|o| cargo::missing_service(&o.output))
            {
                format!("needs {service}")
            } else {
                let passed = outcomes.iter().filter(|o| o.passed).count();
                next.get_or_insert(exercise.id.clone());
                format!("not yet ({passed}/{})", outcomes.len())
            };
            rows.push((
                exercise.id.clone(),
                exercise.title.clone(),
                exercise.store(),
                status,
                ctx.course.file_of(exercise, Side::Exercises),
            ));
        }
    }
    let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    println!();
    for (id, title, store, status, file) in &rows {
        println!("{id:<5} {title:<width$}  {store:<11} {status:<17} {file}");
    }
    let done = rows.iter().filter(|r| r.3 == "done").count();
    println!("\n{done} of {} exercises done.", rows.len());
    match next {
        Some(id) => println!("Next: `cargo xtask test {id}`."),
        None if done == rows.len() => println!(
            "All done. `cargo xtask demo 01 --impl exercise --load 100` runs your code live."
        ),
        None => println!("`cargo xtask services` says how to get the missing services."),
    }
    Ok(())
}
