//! Step 3 of the course's way of finding a service: when neither the variable
//! nor the local port answers and a Docker engine does, the runner starts a
//! throwaway container with testcontainers, hands its URL to the commands it
//! runs (in `DATABASE_URL`, `REDIS_URL`, `AMQP_URL`: step 1 for them), and removes it
//! when the run ends: when the runner closes the pipe to this sidecar, or on
//! Ctrl-C by testcontainers' watchdog. The kit's `services` module says why
//! this is the runner's job; `xtask/src/containers.rs` is the other end.

use racecourse_kit::services::{Kind, docker_answers, find};
use std::io::Write;
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::rabbitmq::RabbitMq;
use testcontainers_modules::redis::Redis;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use testcontainers_modules::testcontainers::{ContainerAsync, TestcontainersError};

/// A container the runner started.
enum Running {
    Postgres(ContainerAsync<Postgres>),
    Redis(ContainerAsync<Redis>),
    RabbitMq(ContainerAsync<RabbitMq>),
}

/// `racecourse-tools containers postgres redis`: the sidecar of a runner
/// command. For each kind that neither its variable nor its local port gives,
/// it starts a container when Docker answers and prints `VAR=url`; then it
/// prints `ready` and keeps the containers until its standard input closes
/// (the runner is done, or died), removes them, and exits.
pub fn serve(kinds: &[Kind]) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let mut running = Vec::new();
    for &kind in kinds {
        // A variable that is set is the student's choice, even when it does not
        // answer: the tests then say so rather than use something else.
        let chosen = std::env::var_os(kind.env_var()).is_some();
        if chosen || !docker_answers() || runtime.block_on(find(kind)).is_ok() {
            continue;
        }
        eprintln!("$ starting a {} container (testcontainers)", kind.name());
        match runtime.block_on(start(kind)) {
            Ok((url, container)) => {
                println!("{}={url}", kind.env_var());
                running.push(container);
            }
            Err(e) => eprintln!("warning: could not start a {} container: {e}", kind.name()),
        }
    }
    println!("ready");
    std::io::stdout().flush()?;
    // Returns at end of input: the runner closed the pipe or exited.
    std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())?;
    for container in running {
        let removed = runtime.block_on(async {
            match container {
                Running::Postgres(c) => c.rm().await,
                Running::Redis(c) => c.rm().await,
                Running::RabbitMq(c) => c.rm().await,
            }
        });
        if let Err(e) = removed {
            eprintln!("warning: could not remove a container: {e}");
        }
    }
    Ok(())
}

async fn start(kind: Kind) -> Result<(String, Running), TestcontainersError> {
    Ok(match kind {
        Kind::Postgres => {
            let c = Postgres::default().start().await?;
            let url = format!(
                "postgres://postgres:postgres@{}:{}/postgres",
                c.get_host().await?,
                c.get_host_port_ipv4(5432).await?
            );
            (url, Running::Postgres(c))
        }
        Kind::Redis => {
            let c = Redis::default().start().await?;
            let url = format!(
                "redis://{}:{}",
                c.get_host().await?,
                c.get_host_port_ipv4(6379).await?
            );
            (url, Running::Redis(c))
        }
        Kind::RabbitMq => {
            let c = RabbitMq::default().start().await?;
            let url = format!(
                "amqp://guest:guest@{}:{}/%2f",
                c.get_host().await?,
                c.get_host_port_ipv4(5672).await?
            );
            (url, Running::RabbitMq(c))
        }
    })
}
