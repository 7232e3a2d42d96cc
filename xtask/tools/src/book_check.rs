//! `cargo xtask book --check`: the built book, opened in a real headless
//! Chromium (crate::browser) as a reader's browser would open it, served over
//! HTTP as `--serve` serves it. For every page it checks that the page loads
//! with its content, that every Mermaid diagram became an SVG without a syntax
//! error, that every code listing has code in it, and that every internal link
//! and its anchor resolve. Screenshots of the introduction and of one chapter
//! page go to target/book-screenshots for review.

use crate::browser::Browser;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What one page holds, as the browser saw it once the diagrams were drawn.
#[derive(serde::Deserialize)]
struct PageReport {
    title: String,
    text_len: usize,
    diagrams: usize,
    drawn: usize,
    diagram_errors: usize,
    listings: usize,
    empty_listings: usize,
    links: Vec<String>,
}

/// The script that reads a [`PageReport`] off the page.
const REPORT: &str = r#"
const main = document.querySelector('main');
const diagrams = [...document.querySelectorAll('pre.mermaid')];
const listings = [...document.querySelectorAll('main pre > code')];
return {
  title: document.title,
  text_len: main ? main.innerText.trim().length : 0,
  diagrams: diagrams.length,
  drawn: diagrams.filter(d => d.querySelector('svg')).length,
  diagram_errors: diagrams.filter(d => /Syntax error/i.test(d.textContent) ||
      d.querySelector('.error-icon')).length,
  listings: listings.length,
  empty_listings: listings.filter(c => c.textContent.trim() === '').length,
  links: main ? [...main.querySelectorAll('a[href]')].map(a => a.getAttribute('href')) : [],
};
"#;

/// Pages a reader is sent to that are not chapters: skipped.
const NOT_PAGES: [&str; 2] = ["404.html", "toc.html"];
/// The pages photographed for review.
const SCREENSHOTS: [&str; 2] = [
    "introduction.html",
    "01-concurrency/04-select-for-update.html",
];
/// How long Mermaid may take to draw a page's diagrams.
const DRAW_LIMIT: Duration = Duration::from_secs(20);

/// Checks the book built in `out`; returns a one-line summary, or every problem.
pub fn run(out: &Path, screenshots: &Path) -> anyhow::Result<String> {
    let pages = html_pages(out)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}/", listener.local_addr()?);
        let app = axum::Router::new()
            .fallback_service(tower_http::services::ServeDir::new(out.to_path_buf()));
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let browser = Browser::start().await?;
        let outcome = check_pages(&browser, &base, out, &pages, screenshots).await;
        browser.close().await;
        server.abort();
        outcome
    })
}

async fn check_pages(
    browser: &Browser,
    base: &str,
    out: &Path,
    pages: &[String],
    screenshots: &Path,
) -> anyhow::Result<String> {
    let mut problems = Vec::new();
    let (mut diagrams, mut listings, mut links) = (0, 0, 0);
    for page in pages {
        let report = match visit(browser, &format!("{base}{page}")).await {
            Ok(report) => report,
            Err(e) => {
                problems.push(format!("{page}: {e:#}"));
                continue;
            }
        };
        if report.title.is_empty() || report.text_len < 40 {
            problems.push(format!("{page}: no content (title {:?})", report.title));
        }
        if report.drawn < report.diagrams || report.diagram_errors > 0 {
            problems.push(format!(
                "{page}: {} of {} Mermaid diagrams drawn, {} with a syntax error",
                report.drawn, report.diagrams, report.diagram_errors
            ));
        }
        if report.empty_listings > 0 {
            problems.push(format!(
                "{page}: {} empty code listings",
                report.empty_listings
            ));
        }
        for link in &report.links {
            if let Err(e) = resolve(out, page, link) {
                problems.push(format!("{page}: link {link}: {e}"));
            }
        }
        diagrams += report.diagrams;
        listings += report.listings;
        links += report.links.len();
        if SCREENSHOTS.contains(&page.as_str()) {
            std::fs::create_dir_all(screenshots)?;
            let png = browser.client.screenshot().await?;
            let name = page.replace('/', "_").replace(".html", ".png");
            std::fs::write(screenshots.join(name), png)?;
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} problems in the book:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    Ok(format!(
        "{} pages load in Chromium; {diagrams} Mermaid diagrams drawn, {listings} code \
         listings, {links} links resolved; screenshots in {}",
        pages.len(),
        screenshots.display()
    ))
}

/// Opens `url` and reads its report once its diagrams are drawn (or the limit passed).
async fn visit(browser: &Browser, url: &str) -> anyhow::Result<PageReport> {
    browser.client.goto(url).await.context("does not load")?;
    let began = Instant::now();
    loop {
        let value = browser.client.execute(REPORT, Vec::new()).await?;
        let report: PageReport = serde_json::from_value(value)?;
        if report.drawn + report.diagram_errors >= report.diagrams || began.elapsed() > DRAW_LIMIT {
            return Ok(report);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Checks that an internal `link` from `page` names a file of the book and,
/// with a `#fragment`, an element with that id in it. Outside links pass.
fn resolve(out: &Path, page: &str, link: &str) -> Result<(), String> {
    if link.contains("://") || link.starts_with("mailto:") || link.starts_with("//") {
        return Ok(());
    }
    let (path, fragment) = link.split_once('#').unwrap_or((link, ""));
    let target = if path.is_empty() {
        out.join(page)
    } else {
        let dir = Path::new(page).parent().unwrap_or(Path::new(""));
        normalize(&out.join(dir).join(path))
    };
    let html = std::fs::read_to_string(&target)
        .map_err(|_| format!("no such page {}", target.display()))?;
    if !fragment.is_empty() && !html.contains(&format!("id=\"{fragment}\"")) {
        return Err(format!("no anchor #{fragment} in {}", target.display()));
    }
    Ok(())
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every page of the built book, as paths relative to `out`, in a stable order.
fn html_pages(out: &Path) -> anyhow::Result<Vec<String>> {
    let mut pages = Vec::new();
    let mut dirs = vec![out.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let relative = path.strip_prefix(out)?.to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                // mdBook's own assets, and the translations' own books.
                let translation = crate::i18n::LANGUAGES.iter().any(|(l, _)| *l == relative);
                if !translation
                    && !["css", "fonts", "theme", "FontAwesome"].contains(&relative.as_str())
                {
                    dirs.push(path);
                }
            } else if relative.ends_with(".html") && !NOT_PAGES.contains(&relative.as_str()) {
                pages.push(relative);
            }
        }
    }
    pages.sort();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_links_and_anchors_between_pages() {
        let out = std::env::temp_dir().join(format!("rc-book-check-{}", std::process::id()));
        std::fs::create_dir_all(out.join("02")).unwrap();
        std::fs::write(out.join("intro.html"), r#"<h2 id="why">Why</h2>"#).unwrap();
        std::fs::write(out.join("02/a.html"), r#"<h2 id="race">The race</h2>"#).unwrap();
        assert_eq!(resolve(&out, "02/a.html", "../intro.html#why"), Ok(()));
        assert_eq!(resolve(&out, "02/a.html", "#race"), Ok(()));
        assert_eq!(resolve(&out, "02/a.html", "https://example.com/x"), Ok(()));
        assert!(resolve(&out, "02/a.html", "../intro.html#how").is_err());
        assert!(resolve(&out, "intro.html", "02/b.html").is_err());
        std::fs::remove_dir_all(&out).unwrap();
    }
}
