//! `racecourse-tools`: the runner's heavy half. `cargo xtask` runs it for the
//! commands that need services, containers or mdBook, so that the runner a
//! student starts a hundred times a day links none of them and starts fast.

mod book;
mod book_check;
mod browser;
mod containers;
mod i18n;
mod instructors;
mod page_check;
mod services;
mod watch;

use clap::{Parser, Subcommand};
use racecourse_kit::services::Kind;

#[derive(Parser)]
#[command(
    name = "racecourse-tools",
    about = "What `cargo xtask` runs for services, containers and the book"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Which PostgreSQL, Redis and RabbitMQ the tests would use, and how they were found.
    Services,
    /// Start containers for the services that do not answer, print their URLs,
    /// and keep them until standard input closes.
    Containers {
        /// "postgres", "redis", "rabbitmq".
        kinds: Vec<String>,
    },
    /// Drive a module's page in headless Chromium as two users would
    /// (page_check.rs); only module 07 has one.
    Page {
        /// The module: "07".
        module: String,
    },
    /// Run an exercise's spec again on every save (`cargo xtask watch` starts it).
    Watch {
        /// The runner to run each spec with (`racecourse`).
        #[arg(long)]
        runner: std::path::PathBuf,
        /// The exercise; the next one not done when absent.
        id: Option<String>,
        /// Run on Enter only, for file systems whose change events do not arrive.
        #[arg(long)]
        manual: bool,
    },
    /// Build the book into book/build; `--serve` serves it on 127.0.0.1.
    Book {
        #[arg(long)]
        serve: bool,
        /// Open every page in headless Chromium and check it (book_check.rs).
        #[arg(long, conflicts_with = "serve")]
        check: bool,
        /// Also build the book in this language ("uk"), into book/build/<lang>.
        #[arg(long)]
        language: Option<String>,
        /// Extract the book's messages into book/po/messages.pot and merge them
        /// into each language's catalogue.
        #[arg(long, conflicts_with_all = ["serve", "check", "language"])]
        xgettext: bool,
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
}

fn main() {
    let result = match Cli::parse().command {
        Command::Services => services::run(),
        Command::Containers { kinds } => kinds
            .iter()
            .map(|k| {
                Kind::from_service(k).ok_or_else(|| {
                    anyhow::anyhow!("no service {k}: there are postgres, redis and rabbitmq")
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .and_then(|kinds| containers::serve(&kinds)),
        Command::Book {
            serve,
            check,
            port,
            language,
            xgettext,
        } => book::run(book::Request {
            serve,
            check,
            port,
            language,
            xgettext,
        }),
        Command::Watch { runner, id, manual } => watch::run(&runner, id, manual),
        Command::Page { module } => {
            page_check::run(&racecourse_kit::manifest::repo_root(), &module)
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
