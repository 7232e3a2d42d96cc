//! `cargo xtask demo <module> [flags]`: runs the module's demo binary.

use crate::containers::Containers;
use crate::{Ctx, cargo};

pub fn run(ctx: &Ctx, module: &str, args: &[String]) -> anyhow::Result<()> {
    let module = ctx.course.module(module).ok_or_else(|| {
        let ids: Vec<&str> = ctx.course.modules.iter().map(|m| m.id.as_str()).collect();
        anyhow::anyhow!("there is no module {module}; there are {}", ids.join(", "))
    })?;
    let containers = Containers::provide(&ctx.root, services_asked(args))?;
    let mut cargo_args = vec!["run", "--quiet", "-p", &module.demo_package, "--"];
    cargo_args.extend(args.iter().map(String::as_str));
    let mut cmd = cargo::command(&ctx.root, &cargo_args);
    containers.apply(&mut cmd);
    let status = cmd.status()?;
    drop(containers); // exit skips destructors: remove the containers first
    std::process::exit(status.code().unwrap_or(1));
}

/// The services the demo's flags ask for: `--store pg` needs PostgreSQL; the
/// in-memory default needs nothing.
fn services_asked(args: &[String]) -> Vec<&'static str> {
    let store = args
        .iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--store") {
            Some("") => args.get(i + 1).map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        });
    match store {
        Some("pg") => vec!["postgres"],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_the_pg_store_needs_postgres() {
        assert_eq!(
            services_asked(&args(&["--impl", "naive", "--store", "pg"])),
            ["postgres"]
        );
        assert_eq!(
            services_asked(&args(&["--store=pg", "--load", "100"])),
            ["postgres"]
        );
        assert!(services_asked(&args(&["--impl", "naive", "--load", "100"])).is_empty());
        assert!(services_asked(&args(&["--store", "mem"])).is_empty());
    }
}
