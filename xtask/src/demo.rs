//! `cargo xtask demo <module> [flags]`: runs the module's demo binary.

use crate::{Ctx, cargo};

pub fn run(ctx: &Ctx, module: &str, args: &[String]) -> anyhow::Result<()> {
    let module = ctx.course.module(module).ok_or_else(|| {
        let ids: Vec<&str> = ctx.course.modules.iter().map(|m| m.id.as_str()).collect();
        anyhow::anyhow!("there is no module {module}; there are {}", ids.join(", "))
    })?;
    let mut cargo_args = vec!["run", "--quiet", "-p", &module.demo_package, "--"];
    cargo_args.extend(args.iter().map(String::as_str));
    let status = cargo::command(&ctx.root, &cargo_args).status()?;
    std::process::exit(status.code().unwrap_or(1));
}
