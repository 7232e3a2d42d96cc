//! `cargo xtask services`: which PostgreSQL, Redis and RabbitMQ the tests would use.

use racecourse_kit::services::{Kind, find};

pub fn run() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let mut missing = 0;
    for kind in [Kind::Postgres, Kind::Redis, Kind::RabbitMq] {
        match runtime.block_on(find(kind)) {
            Ok(found) => println!("found {found}"),
            Err(not_found) => {
                missing += 1;
                println!("{not_found}\n");
            }
        }
    }
    if missing == 0 {
        println!("Every exercise can run. Next: `cargo xtask list`.");
    } else {
        println!(
            "In-memory exercises run without services; `cargo xtask list` shows which need what."
        );
    }
    Ok(())
}
