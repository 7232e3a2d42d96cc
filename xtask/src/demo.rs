//! `cargo xtask demo <module> [flags]`: runs the module's demo binary.

use crate::containers::Containers;
use crate::{Ctx, cargo};
use racecourse_manifest::Module;

pub fn run(ctx: &Ctx, module: &str, args: &[String]) -> anyhow::Result<()> {
    let module = ctx.course.module(module).ok_or_else(|| {
        let ids: Vec<&str> = ctx.course.modules.iter().map(|m| m.id.as_str()).collect();
        anyhow::anyhow!("there is no module {module}; there are {}", ids.join(", "))
    })?;
    let containers = Containers::provide(&ctx.root, services_asked(module, args))?;
    let mut cargo_args = vec!["run", "--quiet", "-p", &module.demo_package, "--"];
    cargo_args.extend(args.iter().map(String::as_str));
    let mut cmd = cargo::command(&ctx.root, &cargo_args);
    containers.apply(&mut cmd);
    let status = cmd.status()?;
    drop(containers); // exit skips destructors: remove the containers first
    std::process::exit(status.code().unwrap_or(1));
}

/// The services the demo needs: what course.toml's `demo_services` says it
/// needs as it runs by default, and PostgreSQL when `--store pg` asks for it.
fn services_asked<'a>(module: &'a Module, args: &[String]) -> Vec<&'a str> {
    let store = args
        .iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--store") {
            Some("") => args.get(i + 1).map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        });
    let mut services: Vec<&str> = module.demo_services.iter().map(String::as_str).collect();
    if store == Some("pg") && !services.contains(&"postgres") {
        services.push("postgres");
    }
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn module(services: &[&str]) -> Module {
        Module {
            id: "01".into(),
            title: "a module".into(),
            dir: "01-a".into(),
            package: "a".into(),
            exercises_package: "a-exercises".into(),
            solutions_package: "a-solutions".into(),
            demo_package: "a-demo".into(),
            demo_services: services.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_pg_store_adds_postgres_to_what_the_demo_needs() {
        let in_memory = module(&[]);
        assert_eq!(
            services_asked(&in_memory, &args(&["--impl", "naive", "--store", "pg"])),
            ["postgres"]
        );
        assert_eq!(
            services_asked(&in_memory, &args(&["--store=pg", "--load", "100"])),
            ["postgres"]
        );
        assert!(services_asked(&in_memory, &args(&["--impl", "naive"])).is_empty());
        assert!(services_asked(&in_memory, &args(&["--store", "mem"])).is_empty());
        let shop = module(&["postgres", "rabbitmq"]);
        assert_eq!(
            services_asked(&shop, &args(&["--load", "1000"])),
            ["postgres", "rabbitmq"]
        );
        assert_eq!(
            services_asked(&shop, &args(&["--store", "pg"])),
            ["postgres", "rabbitmq"]
        );
    }
}
