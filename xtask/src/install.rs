//! `cargo xtask install`: the runner as a program on the PATH, `racecourse`.
//!
//! `racecourse test 01.1` is `cargo xtask test 01.1` without the tenth of a
//! second in which cargo checks the runner's own build before starting it:
//! the fastest edit-to-verdict loop (ARCHITECTURE.md, "Notes on speed").
//! `cargo xtask` keeps working without it.

use crate::{Ctx, cargo};

pub fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let status = cargo::command(
        &ctx.root,
        &[
            "install",
            "--path",
            "xtask",
            "--locked",
            "--target-dir",
            "target/install",
        ],
    )
    // Rust's standard library linked in, not beside it as in the course's own
    // builds (.cargo/config.toml): the program runs from anywhere.
    .env("CARGO_ENCODED_RUSTFLAGS", "")
    .status()?;
    anyhow::ensure!(status.success(), "`cargo install` failed: see above");
    println!(
        "\n`racecourse` runs this copy of the course, in {}: `racecourse list`, `racecourse test 01.1`, ...\nAfter you pull a new version of the course, run `cargo xtask install` again.",
        ctx.root.display()
    );
    Ok(())
}
