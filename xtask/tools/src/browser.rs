//! A headless Chromium driven through chromedriver (WebDriver, with
//! fantoccini), for the checks that need a real browser: the book's pages and
//! their Mermaid diagrams, and module 07's page.
//!
//! Chromium and chromedriver are found on the PATH (`chromium`,
//! `chromium-browser`, `google-chrome`; `chromedriver`) or named by `CHROME`
//! and `CHROMEDRIVER`. When they are missing the error says how to get them;
//! `.ci/run` installs Debian's `chromium` and `chromium-driver`.

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A browser session and the chromedriver serving it, stopped on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

/// Why there is no browser: said to the person, with the fix.
pub fn missing() -> Option<String> {
    let absent: Vec<&str> = [
        ("Chromium", chrome().is_none()),
        ("ChromeDriver", chromedriver().is_none()),
    ]
    .into_iter()
    .filter_map(|(name, absent)| absent.then_some(name))
    .collect();
    (!absent.is_empty()).then(|| {
        format!(
            "{} not found: the browser checks need a Chromium and its driver. On Debian or \
             Ubuntu: `sudo apt-get install chromium chromium-driver`; elsewhere install Chrome \
             and a matching chromedriver, or name them in CHROME and CHROMEDRIVER",
            absent.join(" and ")
        )
    })
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}

fn named_or_on_path(var: &str, names: &[&str]) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        None => on_path(names),
    }
}

fn chrome() -> Option<PathBuf> {
    named_or_on_path("CHROME", &["chromium", "chromium-browser", "google-chrome"])
}

fn chromedriver() -> Option<PathBuf> {
    named_or_on_path("CHROMEDRIVER", &["chromedriver"])
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless session.
    pub async fn start() -> anyhow::Result<Browser> {
        if let Some(why) = missing() {
            bail!(why);
        }
        let (chrome, driver) = (chrome().unwrap(), chromedriver().unwrap());
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let driver = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", driver.display()))?;
        let mut browser_driver = Some(driver);
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chrome,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900"],
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver takes a moment to listen: try for up to 10 s.
        let mut last = None;
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Ok(Browser {
                        client,
                        driver: browser_driver.take().unwrap(),
                    });
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if let Some(mut driver) = browser_driver {
            let _ = driver.kill();
        }
        bail!("chromedriver did not open a session: {:?}", last)
    }

    /// Ends the session, then chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
