//! The runner's end of the containers sidecar (`racecourse-tools containers`,
//! in xtask/tools/src/containers.rs). A command whose tests need PostgreSQL or
//! Redis starts the sidecar first; the sidecar starts a container for each
//! service that does not answer, when Docker does, and prints its URL. The
//! runner passes those URLs to the commands it runs, and closes the pipe when
//! it is done, which makes the sidecar remove the containers.

use crate::cargo;
use racecourse_manifest::services::service;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

/// The services of one run: the sidecar, when one was needed, and the
/// variables that point at the containers it started.
pub struct Containers {
    sidecar: Option<(Child, ChildStdin)>,
    env: Vec<(String, String)>,
}

impl Containers {
    /// Makes sure each of `services` ("postgres", "redis") answers, starting
    /// containers where needed. With no services it starts nothing.
    pub fn provide<'a>(
        root: &Path,
        services: impl IntoIterator<Item = &'a str>,
    ) -> anyhow::Result<Containers> {
        // Only a service that no variable and no local port gives, with Docker
        // there to give it, needs the sidecar: most runs start none.
        let mut kinds: Vec<&str> = services
            .into_iter()
            .filter(|name| service(name).is_some_and(|s| s.needs_container()))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        if kinds.is_empty() {
            return Ok(Containers {
                sidecar: None,
                env: Vec::new(),
            });
        }
        let mut args = vec!["containers"];
        args.extend(kinds);
        let mut child = cargo::tools(root, &args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut env = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if line == "ready" {
                return Ok(Containers {
                    sidecar: Some((child, stdin)),
                    env,
                });
            }
            if let Some((var, url)) = line.split_once('=') {
                env.push((var.to_string(), url.to_string()));
            }
        }
        let status = child.wait()?;
        anyhow::bail!(
            "racecourse-tools containers stopped before it was ready ({status}): its errors are above"
        )
    }

    /// Points `cmd` at the containers started, if any.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
    }
}

impl Drop for Containers {
    fn drop(&mut self) {
        if let Some((mut child, stdin)) = self.sidecar.take() {
            drop(stdin); // end of input: the sidecar removes its containers and exits
            if let Err(e) = child.wait() {
                eprintln!("warning: the containers sidecar did not exit cleanly: {e}");
            }
        }
    }
}
