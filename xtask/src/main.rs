//! `cargo xtask`: the course's runner. One subcommand per file; each prints
//! the commands it runs, and ends by saying what to type next.

mod bench;
mod cargo;
mod containers;
mod demo;
mod gallery;
mod grade;
mod install;
mod list;
mod progress;
mod replay;
mod show;
mod stress;
mod test;
mod variants;
mod verify;

use clap::{Parser, Subcommand};
use racecourse_i18n::t;
use racecourse_manifest::Course;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Racecourse: run, check and grade the course's exercises"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every exercise with where you stand (done, tried), the total and the next one.
    List {
        /// Print only the next exercise's id.
        #[arg(long)]
        next: bool,
        /// Run every spec first and bring the progress up to date.
        #[arg(long)]
        check: bool,
    },
    /// Run one exercise's spec, e.g. `cargo xtask test 01.1`.
    Test {
        id: String,
        /// Run the reference solution instead of your code.
        #[arg(long)]
        solution: bool,
    },
    /// Run one exercise's spec many times at once, to tell a fix from a lucky run:
    /// `cargo xtask stress 01.4 --runs 50`.
    ///
    /// `--impl` picks what runs: your code (`exercise`), the `solution`, or, from the
    /// module's gallery, the `naive` code or a wrong fix by name, which the spec must
    /// fail in every run. An unknown name lists the ones there are.
    Stress {
        id: String,
        /// How many times to run the spec.
        #[arg(long, default_value_t = 20)]
        runs: u32,
        /// exercise, solution, naive, or the name of a wrong fix in the gallery.
        #[arg(long = "impl", value_name = "IMPL", default_value = "exercise")]
        implementation: String,
    },
    /// Run an exercise's spec again on every save, with keys for hint, list, next
    /// and quit: `cargo xtask watch 01.1` (the next exercise not done when no id).
    Watch {
        id: Option<String>,
        /// Run on Enter only, for file systems whose change events do not arrive
        /// (WSL2 on a Windows drive, network drives).
        #[arg(long)]
        manual: bool,
    },
    /// Print the hint of an exercise.
    Hint { id: String },
    /// Show the reference solution as a diff against your file, once you have
    /// run the exercise's test.
    Solution {
        id: String,
        /// Show it even if the exercise is not tried yet.
        #[arg(long)]
        force: bool,
    },
    /// Put an exercise's file back as shipped, keeping yours beside it as `<file>.mine`.
    Reset {
        id: String,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
    /// Which PostgreSQL and Redis the tests would use, and how they were found.
    Services,
    /// Serve a module's demo; `--load N` fires N simultaneous requests and prints the invariant.
    /// Flags go to the demo: `--impl naive|exercise|solution`, `--store mem|pg`, `--load N`, `--stock N`, `--port P`.
    Demo {
        module: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build the book into book/build; `--serve` serves it on 127.0.0.1;
    /// `--check` opens every page in headless Chromium and checks it;
    /// `--language uk` also builds the Ukrainian book into book/build/uk;
    /// `--xgettext` refreshes the translation catalogues in book/po.
    Book {
        #[arg(long)]
        serve: bool,
        #[arg(long, conflicts_with = "serve")]
        check: bool,
        #[arg(long)]
        language: Option<String>,
        #[arg(long, conflicts_with_all = ["serve", "check", "language"])]
        xgettext: bool,
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Install this runner on the PATH as `racecourse`, for the fastest loop:
    /// `racecourse test 01.1` is `cargo xtask test 01.1` without cargo's start.
    Install,
    /// Print figures: `cargo xtask bench loop` times the edit-to-verdict loop of one
    /// in-memory and one PostgreSQL exercise (`--against-rustlings`: beside rustlings');
    /// `cargo xtask bench 01` (a module) runs that module's bench, flags after `--`
    /// going to it (`--seconds`, `--clients`, `--svg`).
    Bench {
        /// What to measure: `loop`, or a module with a bench (01, 04, 06).
        what: String,
        /// Timed runs of each loop (after one warm-up run).
        #[arg(long, default_value_t = 9)]
        runs: usize,
        /// Install rustlings under target/rustlings and time its loop in the same run.
        #[arg(long)]
        against_rustlings: bool,
        /// A module bench's own flags.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// For authors: every exercise fails as shipped, every solution passes, the spec
    /// catches the naive code and every wrong fix of the gallery in every run, nothing
    /// warns, the manifest matches the tree, the book builds.
    Verify,
    /// For instructors: grade students' checkouts against this tree's pristine spec.
    /// Only each exercise's file is taken from a checkout; an exercise earns its
    /// points (course.toml) when every check of its spec passes.
    Grade {
        /// One student's checkout.
        #[arg(long, value_name = "PATH")]
        student: Option<PathBuf>,
        /// A folder holding one checkout per student.
        #[arg(long, value_name = "DIR")]
        class: Option<PathBuf>,
        /// table, json or junit, to stdout.
        #[arg(long, value_enum, default_value_t = grade::Format::Table)]
        format: grade::Format,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("{}", t!("error", error = format!("{e:#}")));
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let root = racecourse_manifest::repo_root();
    let course = Course::load(&root)?;
    let ctx = Ctx { root, course };
    match cli.command {
        Command::List { next, check } => list::run(&ctx, next, check),
        Command::Test { id, solution } => test::run(&ctx, &id, solution),
        Command::Stress {
            id,
            runs,
            implementation,
        } => stress::run(&ctx, &id, runs, &implementation),
        Command::Hint { id } => show::hint(&ctx, &id),
        Command::Watch { id, manual } => watch(&ctx, id.as_deref(), manual),
        Command::Solution { id, force } => show::solution(&ctx, &id, force),
        Command::Reset { id, yes } => show::reset(&ctx, &id, yes),
        Command::Services => delegate(&ctx, &["services"]),
        Command::Demo { module, args } => demo::run(&ctx, &module, &args),
        Command::Book {
            serve,
            check,
            language,
            xgettext,
            port,
        } => {
            let port = port.to_string();
            let mut args = vec!["book"];
            args.extend(
                serve
                    .then_some(["--serve", "--port", port.as_str()])
                    .into_iter()
                    .flatten(),
            );
            args.extend(check.then_some("--check"));
            args.extend(xgettext.then_some("--xgettext"));
            if let Some(lang) = &language {
                args.extend(["--language", lang.as_str()]);
            }
            delegate(&ctx, &args)
        }
        Command::Bench {
            what,
            runs,
            against_rustlings,
            args,
        } => match ctx.course.module(&what) {
            Some(module) => bench::module(&ctx, module, &args),
            None => bench::run(&ctx, &what, runs, against_rustlings),
        },
        Command::Install => install::run(&ctx),
        Command::Verify => verify::run(&ctx),
        Command::Grade {
            student,
            class,
            format,
        } => grade::run(&ctx, student.as_deref(), class.as_deref(), format),
    }
}

/// `cargo xtask watch`: `racecourse-tools watch`, which runs this runner's
/// `test` on every save (xtask/tools/src/watch.rs).
fn watch(ctx: &Ctx, id: Option<&str>, manual: bool) -> anyhow::Result<()> {
    let runner = std::env::current_exe()?;
    let runner = runner
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the runner's path is not UTF-8"))?;
    let mut args = vec!["watch", "--runner", runner];
    if let Some(id) = id {
        args.push(&ctx.exercise(id)?.id);
    }
    if manual {
        args.push("--manual");
    }
    delegate(ctx, &args)
}

/// Hands a command to `racecourse-tools`, the runner's heavy half, and exits
/// with its status.
fn delegate(ctx: &Ctx, args: &[&str]) -> anyhow::Result<()> {
    let status = cargo::tools(&ctx.root, args).status()?;
    std::process::exit(status.code().unwrap_or(1));
}

/// What every subcommand needs: where the repository is and what it holds.
pub struct Ctx {
    pub root: PathBuf,
    pub course: Course,
}

impl Ctx {
    /// The exercise `id`, or an error that lists the ids there are.
    pub fn exercise(&self, id: &str) -> anyhow::Result<&racecourse_manifest::Exercise> {
        self.course.exercise(id).ok_or_else(|| {
            let ids: Vec<&str> = self
                .course
                .exercises
                .iter()
                .map(|e| e.id.as_str())
                .collect();
            anyhow::anyhow!("{}", t!("no-such-exercise", id = id, ids = ids.join(", ")))
        })
    }
}
