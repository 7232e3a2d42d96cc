//! `racecourse-tools page 07`: module 07's page, driven in a real headless
//! Chromium (crate::browser) as two people would use it. It starts the demo
//! (`cargo run -p racecourse-07-demo -- --impl solution`, one worker pausing
//! 1.5 s after each request, so the line visibly moves) on a free port, with
//! PostgreSQL and Redis as the kit finds them, and then:
//!
//! 1. opens the page as bob and as ann, each in its own browser session;
//! 2. bob books two tickets, ann a third: ann is in line behind bob's second
//!    request, and her page must show her position, then a smaller one, then
//!    the reservation, and her cart the ticket with its countdown;
//! 3. ann checks out: her page shows the order, and bob's page, which never
//!    reloads, shows her ticket SOLD (pushed over its WebSocket).
//!
//! A screenshot of each page goes to target/page-screenshots. Without
//! Chromium it says so and passes, unless `RACECOURSE_REQUIRE_BROWSER` is set
//! (as `.ci/run` sets it), exactly as the book's browser check does.

use crate::browser::Browser;
use anyhow::{Context, bail};
use fantoccini::Client;
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the demo may take to build and start answering.
const START_LIMIT: Duration = Duration::from_secs(300);
/// How long one step of the page may take to show what it should.
const STEP_LIMIT: Duration = Duration::from_secs(20);

/// Runs the page check of `module` (only "07" has a page).
pub fn run(root: &Path, module: &str) -> anyhow::Result<()> {
    if module != "07" {
        bail!("module {module} has no page to check: only module 07 has one");
    }
    if let Some(why) = crate::browser::missing() {
        if std::env::var_os("RACECOURSE_REQUIRE_BROWSER").is_some() {
            bail!(why);
        }
        println!("skipped the browser check: {why}");
        return Ok(());
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut demo = Demo::start(root, port)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let outcome = runtime.block_on(async {
        demo.wait_until_answering(port).await?;
        let shots = root.join("target/page-screenshots");
        drive(&format!("http://127.0.0.1:{port}"), &shots).await
    });
    demo.stop();
    let summary = outcome?;
    println!("page check (module 07): {summary}");
    Ok(())
}

/// The demo process, stopped (Ctrl-C, so it drops its schema) on drop.
struct Demo(Child);

impl Demo {
    fn start(root: &Path, port: u16) -> anyhow::Result<Demo> {
        println!("starting module 07's demo on 127.0.0.1:{port} (cargo run -p racecourse-07-demo)");
        let child = Command::new(std::env::var_os("CARGO").unwrap_or("cargo".into()))
            .current_dir(root)
            .args([
                "run",
                "-q",
                "-p",
                "racecourse-07-demo",
                "--",
                "--impl",
                "solution",
            ])
            .args(["--workers", "1", "--pace-ms", "1500"])
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .spawn()
            .context("cannot run cargo to start module 07's demo")?;
        Ok(Demo(child))
    }

    async fn wait_until_answering(&mut self, port: u16) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait()? {
                bail!(
                    "module 07's demo exited ({status}) before it answered: run `cargo run -p \
                     racecourse-07-demo` to see why (are PostgreSQL and Redis running? `cargo \
                     xtask services`)"
                );
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            if started.elapsed() > START_LIMIT {
                bail!("module 07's demo did not answer on port {port} within {START_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn stop(&mut self) {
        // cargo run replaces itself with the demo on unix: this is the demo.
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        for _ in 0..50 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            self.stop();
        }
    }
}

/// Evaluates `script` (a function body that returns a value) on the page.
async fn eval(client: &Client, script: &str) -> anyhow::Result<Value> {
    client
        .execute(script, vec![])
        .await
        .with_context(|| format!("the page could not run: {script}"))
}

/// Polls `script` until it returns something other than null or false, for
/// at most [`STEP_LIMIT`]; the error says what the page should have shown.
async fn until(client: &Client, who: &str, what: &str, script: &str) -> anyhow::Result<Value> {
    let started = Instant::now();
    loop {
        let value = eval(client, script).await?;
        if !matches!(value, Value::Null | Value::Bool(false)) {
            return Ok(value);
        }
        if started.elapsed() > STEP_LIMIT {
            let seen = eval(client, "return document.querySelector('main').innerText").await?;
            bail!(
                "{who}'s page never showed {what} within {STEP_LIMIT:?}. The page showed:\n{}",
                seen.as_str().unwrap_or("")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens the page as `user` and waits until its tickets and its WebSocket are there.
async fn open(base: &str, user: &str) -> anyhow::Result<Browser> {
    let browser = Browser::start().await?;
    browser.client.goto(&format!("{base}/?user={user}")).await?;
    until(
        &browser.client,
        user,
        "the concert's tickets",
        "return document.querySelectorAll('tr[data-ticket]').length >= 3",
    )
    .await?;
    until(
        &browser.client,
        user,
        "a live connection (\"live\" in the header)",
        "return document.getElementById('link').textContent === 'live'",
    )
    .await?;
    Ok(browser)
}

/// Clicks the Book button of `ticket` on `client`'s page.
async fn book(client: &Client, ticket: i64) -> anyhow::Result<()> {
    eval(
        client,
        &format!(
            "document.querySelector('tr[data-ticket=\"{ticket}\"] .book').click(); return true"
        ),
    )
    .await?;
    Ok(())
}

async fn shoot(browser: &Browser, shots: &Path, name: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(shots)?;
    let png = browser.client.screenshot().await?;
    std::fs::write(shots.join(name), png)?;
    Ok(())
}

async fn drive(base: &str, shots: &Path) -> anyhow::Result<String> {
    let bob = open(base, "bob").await?;
    let ann = open(base, "ann").await?;
    let outcome = scenario(&bob, &ann, shots).await;
    bob.close().await;
    ann.close().await;
    outcome
}

async fn scenario(bob: &Browser, ann: &Browser, shots: &Path) -> anyhow::Result<String> {
    let (b, a) = (&bob.client, &ann.client);
    let ids = eval(b, "return [...document.querySelectorAll('tr[data-ticket]')].map(r => Number(r.dataset.ticket))").await?;
    let ids: Vec<i64> = serde_json::from_value(ids)?;
    let (first, second, annes) = (ids[0], ids[1], ids[2]);
    book(b, first).await?;
    book(b, second).await?;
    until(b, "bob", &format!("ticket {second} IN_QUEUE or RESERVED"),
        &format!("const s = document.querySelector('tr[data-ticket=\"{second}\"] .status').textContent; return s === 'IN_QUEUE' || s === 'RESERVED'")).await?;
    book(a, annes).await?;
    // Ann's place in line, as her page shows it, until the reservation arrives.
    let mut positions: Vec<u64> = Vec::new();
    let started = Instant::now();
    loop {
        let state = eval(a, "return [document.getElementById('position').textContent, document.getElementById('queue-state').textContent]").await?;
        let (position, queue_state): (String, String) = serde_json::from_value(state)?;
        if let Ok(p) = position.parse::<u64>()
            && positions.last() != Some(&p)
        {
            positions.push(p);
        }
        if queue_state.contains(&format!("Reserved ticket {annes}")) {
            break;
        }
        if started.elapsed() > STEP_LIMIT {
            bail!(
                "ann's page never showed the reservation of ticket {annes} within {STEP_LIMIT:?}: it says {queue_state:?}, positions seen {positions:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if positions.len() < 2 || positions.windows(2).any(|w| w[1] >= w[0]) {
        bail!(
            "ann queued behind bob's request, so her page must show her position and then a \
             smaller one as the line moves (pushed over the WebSocket); it showed {positions:?}"
        );
    }
    let countdown = until(a, "ann", &format!("ticket {annes} in the cart with a countdown"),
        &format!("const c = document.querySelector('#cart li[data-ticket=\"{annes}\"] .countdown'); return c && /^\\d+:\\d\\d$/.test(c.textContent) ? c.textContent : null")).await?;
    shoot(ann, shots, "07-ann-reserved.png").await?;
    eval(
        a,
        "document.getElementById('checkout').click(); return true",
    )
    .await?;
    let message = until(a, "ann", "the order placed",
        "const m = document.getElementById('message').textContent; return m.startsWith('Order') ? m : null").await?;
    until(b, "bob", &format!("ticket {annes} SOLD (ann bought it; bob's page must learn it without reloading)"),
        &format!("return document.querySelector('tr[data-ticket=\"{annes}\"] .status').textContent === 'SOLD'")).await?;
    until(
        a,
        "ann",
        "an empty cart after checkout",
        "return document.querySelectorAll('#cart li').length === 0",
    )
    .await?;
    shoot(bob, shots, "07-bob-sold.png").await?;
    Ok(format!(
        "ann's position went {positions:?}, her reservation arrived with {} left, {}, and bob's \
         page showed ticket {annes} SOLD; screenshots in {}",
        countdown.as_str().unwrap_or("?"),
        message.as_str().unwrap_or("?"),
        shots.display()
    ))
}
