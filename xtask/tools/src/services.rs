//! `cargo xtask services`: which PostgreSQL, Redis and RabbitMQ the tests would use.

use racecourse_kit::i18n::t;
use racecourse_kit::services::{Kind, find};

pub fn run() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let mut missing = 0;
    for kind in [Kind::Postgres, Kind::Redis, Kind::RabbitMq] {
        match runtime.block_on(find(kind)) {
            Ok(found) => println!("{}", t!("services-found", found = found.to_string())),
            Err(not_found) => {
                missing += 1;
                println!("{not_found}\n");
            }
        }
    }
    if missing == 0 {
        println!("{}", t!("services-all"));
    } else {
        println!("{}", t!("services-some-missing"));
    }
    Ok(())
}
