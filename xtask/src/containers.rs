//! Step 3 of the course's way of finding a service: when neither the variable
//! nor the local port answers and a Docker engine does, the runner starts a
//! throwaway container with testcontainers, hands its URL to the commands it
//! runs (in `DATABASE_URL` / `REDIS_URL`, step 1 for them), and removes it
//! when the run ends: by [`Containers`]' drop, or on Ctrl-C by testcontainers'
//! watchdog. The kit's `services` module says why this is the runner's job.

use racecourse_kit::services::{Kind, docker_answers, find};
use std::process::Command;
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::redis::Redis;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use testcontainers_modules::testcontainers::{ContainerAsync, TestcontainersError};

/// A container the runner started.
enum Running {
    Postgres(ContainerAsync<Postgres>),
    Redis(ContainerAsync<Redis>),
}

/// The containers started for one run, and the variables that point at them.
pub struct Containers {
    runtime: tokio::runtime::Runtime,
    running: Vec<Running>,
    env: Vec<(&'static str, String)>,
}

impl Containers {
    /// Makes sure each of `kinds` answers, starting a container for a kind
    /// that is found neither from its variable nor on its local port. A kind
    /// that cannot be had is left alone: its tests then fail with the kit's
    /// message on how to get one.
    pub fn provide(kinds: impl IntoIterator<Item = Kind>) -> anyhow::Result<Containers> {
        let mut containers = Containers {
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?,
            running: Vec::new(),
            env: Vec::new(),
        };
        for kind in kinds {
            if containers.runtime.block_on(find(kind)).is_ok() || !docker_answers() {
                continue;
            }
            eprintln!("$ starting a {} container (testcontainers)", kind.name());
            match containers.runtime.block_on(start(kind)) {
                Ok((url, running)) => {
                    containers.env.push((kind.env_var(), url));
                    containers.running.push(running);
                }
                Err(e) => eprintln!("warning: could not start a {} container: {e}", kind.name()),
            }
        }
        Ok(containers)
    }

    /// The kinds the manifest's `services` entries name, for [`Containers::provide`].
    pub fn kinds<'a>(services: impl IntoIterator<Item = &'a String>) -> Vec<Kind> {
        let mut kinds: Vec<Kind> = services
            .into_iter()
            .filter_map(|s| Kind::from_service(s))
            .collect();
        kinds.sort_by_key(|k| k.name());
        kinds.dedup();
        kinds
    }

    /// Points `cmd` at the containers started, if any.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        for running in self.running.drain(..) {
            let removed = self.runtime.block_on(async {
                match running {
                    Running::Postgres(c) => c.rm().await,
                    Running::Redis(c) => c.rm().await,
                }
            });
            if let Err(e) = removed {
                eprintln!("warning: could not remove a container: {e}");
            }
        }
    }
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
    })
}
