//! `cargo xtask book`: builds the book with mdBook as a library, so a fresh
//! clone needs nothing installed, through the course's own preprocessor:
//!
//! - `{{#exercise 01.4}}` becomes the exercise's box, read from course.toml;
//! - `{{#schedule}}`, `{{#demos}}` and `{{#discussion}}` become the
//!   instructor's guide, gathered from every module's chapter (instructors.rs);
//! - a ```` ```mermaid ```` fence becomes `<pre class="mermaid">`, which the
//!   vendored mermaid.js (book/theme/) draws in the browser, offline too.
//!
//! Before building it checks every `{{#include file:anchor}}`: the file must
//! exist and hold the anchor, so the book never shows an empty listing.

use anyhow::{Context, bail};
use mdbook_driver::MDBook;
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use racecourse_kit::manifest::{Course, Side, repo_root};
use std::path::{Path, PathBuf};

/// What `cargo xtask book` was asked to do.
pub struct Request {
    pub serve: bool,
    pub check: bool,
    pub port: u16,
    /// Also build the book in this language (book/build/<lang>).
    pub language: Option<String>,
    /// Only extract the messages into book/po (crate::i18n).
    pub xgettext: bool,
}

pub fn run(request: Request) -> anyhow::Result<()> {
    let root = repo_root();
    if request.xgettext {
        print!("{}", crate::i18n::xgettext(&root)?);
        return Ok(());
    }
    // English first: mdBook empties the build folder, translations included.
    let out = build(&root, None)?;
    println!("The book is in {}", out.display());
    let mut outs = vec![out.clone()];
    if let Some(lang) = &request.language {
        let translated = build(&root, Some(lang))?;
        println!("The book in {lang} is in {}", translated.display());
        outs.push(translated);
    }
    if request.check {
        for out in &outs {
            browser_check(&root, out)?;
        }
        return Ok(());
    }
    let (serve, port) = (request.serve, request.port);
    if !serve {
        println!(
            "Open {} in a browser, or `cargo xtask book --serve`.",
            out.join("index.html").display()
        );
        return Ok(());
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!(
            "Serving the book on http://{}/ (Ctrl-C stops it)",
            listener.local_addr()?
        );
        let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(out));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

/// The browser check of the built book. Without Chromium it says so and
/// passes, unless `RACECOURSE_REQUIRE_BROWSER` is set (as `.ci/run` sets it,
/// after installing Chromium): a skip is never silent, and never in CI.
fn browser_check(root: &Path, out: &Path) -> anyhow::Result<()> {
    if let Some(why) = crate::browser::missing() {
        if std::env::var_os("RACECOURSE_REQUIRE_BROWSER").is_some() {
            bail!(why);
        }
        println!("skipped the browser check: {why}");
        return Ok(());
    }
    let folder = out
        .file_name()
        .map_or("book".into(), |n| n.to_string_lossy().to_string());
    let shots = root.join("target/book-screenshots").join(folder);
    let summary = crate::book_check::run(out, &shots)?;
    println!("browser check: {summary}");
    Ok(())
}

/// Builds the book, in English or translated into `language`, and returns
/// the folder holding its HTML.
fn build(root: &Path, language: Option<&str>) -> anyhow::Result<PathBuf> {
    let book_dir = root.join("book");
    check_includes(&book_dir.join("src"))?;
    let mut book = MDBook::load(&book_dir).context("cannot load the book")?;
    let catalog = match language {
        Some(lang) => {
            book.config.book.language = Some(lang.to_string());
            book.config.build.build_dir = PathBuf::from("build").join(lang);
            print!("{}", crate::i18n::translate(root, &mut book, lang)?);
            Some(crate::i18n::catalog(root, lang)?)
        }
        None => None,
    };
    book.with_preprocessor(CoursePreprocessor {
        course: Course::load(root)?,
        src: book_dir.join("src"),
        catalog,
    });
    book.build().context("the book does not build")?;
    let out = book.build_dir_for("html");
    check_output(&out)?;
    Ok(out)
}

/// Every `{{#include path:anchor}}` in the sources names a file that exists and
/// holds `ANCHOR: anchor`, and every Rust listing is such an include: the book
/// shows only code that compiles and is tested.
fn check_includes(src: &Path) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    for page in markdown_files(src)? {
        let text = std::fs::read_to_string(&page)?;
        problems.extend(inline_rust(&text).map(|line| {
            format!(
                "{}:{line}: a Rust listing written in the page; include it from a compiled file",
                page.display()
            )
        }));
        for directive in text.split("{{#include ").skip(1) {
            let Some(target) = directive.split("}}").next() else {
                continue;
            };
            let (file, anchor) = match target.trim().split_once(':') {
                Some((file, anchor))
                    if !anchor.chars().next().is_some_and(|c| c.is_ascii_digit()) =>
                {
                    (file, Some(anchor))
                }
                Some((file, _lines)) => (file, None),
                None => (target.trim(), None),
            };
            let path = page.parent().unwrap_or(src).join(file);
            match (std::fs::read_to_string(&path), anchor) {
                (Err(_), _) => problems.push(format!(
                    "{}: includes {file}, which does not exist",
                    page.display()
                )),
                (Ok(code), Some(anchor)) if !code.contains(&format!("ANCHOR: {anchor}")) => {
                    problems.push(format!(
                        "{}: includes {file}:{anchor}, which has no such anchor",
                        page.display()
                    ))
                }
                _ => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!(
            "the book includes code that is not there:\n  {}",
            problems.join("\n  ")
        )
    }
}

/// The line numbers of ```` ```rust ```` fences whose first line is not an include.
fn inline_rust(markdown: &str) -> impl Iterator<Item = usize> + '_ {
    let lines: Vec<&str> = markdown.lines().collect();
    (0..lines.len()).filter_map(move |i| {
        let opens = lines[i].trim_start().starts_with("```rust");
        let next = lines.get(i + 1).map_or("", |l| l.trim());
        (opens && !next.starts_with("{{#include") && !next.starts_with("{{#rustdoc_include"))
            .then_some(i + 1)
    })
}

/// No directive survived into the HTML: each was understood by a preprocessor.
fn check_output(out: &Path) -> anyhow::Result<()> {
    for page in std::fs::read_dir(out)?.flatten().map(|e| e.path()) {
        if page.is_dir() {
            check_output(&page)?;
        } else if page.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&page)?;
            if let Some(at) = html.find("{{#") {
                let snippet: String = html[at..].chars().take(60).collect();
                bail!(
                    "{} still holds an unprocessed directive: {snippet}",
                    page.display()
                );
            }
        }
    }
    Ok(())
}

fn markdown_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(markdown_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    Ok(files)
}

/// The course's own preprocessor (see the module's doc).
struct CoursePreprocessor {
    course: Course,
    /// The book's sources, where the instructor notes are.
    src: PathBuf,
    /// The translation being built, for the text this preprocessor writes.
    catalog: Option<polib::catalog::Catalog>,
}

impl Preprocessor for CoursePreprocessor {
    fn name(&self) -> &str {
        "racecourse"
    }

    fn run(
        &self,
        _ctx: &PreprocessorContext,
        mut book: Book,
    ) -> mdbook_preprocessor::errors::Result<Book> {
        let mut failure = None;
        book.for_each_mut(|item| {
            if let BookItem::Chapter(chapter) = item {
                match self.render(&chapter.content) {
                    Ok(content) => chapter.content = content,
                    Err(e) => {
                        failure.get_or_insert(anyhow::anyhow!("{}: {e}", chapter.name));
                    }
                }
            }
        });
        failure.map_or(Ok(book), Err)
    }
}

impl CoursePreprocessor {
    fn render(&self, markdown: &str) -> anyhow::Result<String> {
        let markdown =
            crate::instructors::expand(markdown, &self.course, &self.src, &|t| self.tr(t))?;
        mermaid_blocks(&self.exercise_boxes(&markdown)?)
    }

    fn exercise_boxes(&self, markdown: &str) -> anyhow::Result<String> {
        let mut out = String::new();
        let mut rest = markdown;
        while let Some(start) = rest.find("{{#exercise ") {
            out.push_str(&rest[..start]);
            let after = &rest[start + "{{#exercise ".len()..];
            let end = after
                .find("}}")
                .context("an {{#exercise}} without its closing }}")?;
            let id = after[..end].trim();
            out.push_str(&self.exercise_box(id)?);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `text` in the language being built.
    fn tr(&self, text: &str) -> String {
        crate::i18n::lookup(self.catalog.as_ref(), text)
    }

    fn exercise_box(&self, id: &str) -> anyhow::Result<String> {
        let e = self
            .course
            .exercise(id)
            .with_context(|| format!("{{{{#exercise {id}}}}}: no such exercise in course.toml"))?;
        let services = if e.services.is_empty() {
            self.tr("nothing but Rust: it runs in memory")
        } else {
            e.services
                .iter()
                .map(|s| match s.as_str() {
                    "postgres" => "PostgreSQL",
                    "redis" => "Redis",
                    "rabbitmq" => "RabbitMQ",
                    other => other,
                })
                .collect::<Vec<_>>()
                .join(&self.tr(" and "))
        };
        Ok(format!(
            "<div class=\"exercise\">\n\
             <p class=\"exercise-title\">{exercise} {id}: {title}</p>\n\
             <p><strong>{spec_proves}</strong> {proves}.</p>\n\
             <p><strong>{edit}</strong> <code>{file}</code>{then_run} <code>cargo xtask test {id}</code>. \
             {stuck} <code>cargo xtask hint {id}</code>. {needs} {services}.</p>\n\
             </div>\n",
            exercise = self.tr("Exercise"),
            spec_proves = self.tr("The spec proves:"),
            edit = self.tr("Edit"),
            then_run = self.tr(", then run"),
            stuck = self.tr("Stuck?"),
            needs = self.tr("Needs"),
            title = escape(&self.tr(&e.title)),
            proves = escape(&self.tr(&e.proves)),
            file = self.course.file_of(e, Side::Exercises),
        ))
    }
}

/// Turns each ```` ```mermaid ```` fence into a `<pre class="mermaid">`.
fn mermaid_blocks(markdown: &str) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut diagram: Option<String> = None;
    for line in markdown.lines() {
        match diagram.as_mut() {
            None if line.trim_start().starts_with("```mermaid") => diagram = Some(String::new()),
            None => {
                out.push_str(line);
                out.push('\n');
            }
            Some(_) if line.trim_start().starts_with("```") => {
                let text = diagram.take().unwrap_or_default();
                out.push_str(&format!(
                    "<pre class=\"mermaid\">\n{}</pre>\n",
                    escape(&text)
                ));
            }
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    if diagram.is_some() {
        bail!("a ```mermaid block is never closed");
    }
    Ok(out)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_listings_must_be_includes() {
        let md = "```rust,ignore\n{{#include ../x.rs:a}}\n```\n\n```rust\nfn main() {}\n```\n";
        assert_eq!(inline_rust(md).collect::<Vec<_>>(), vec![5]);
    }

    #[test]
    fn mermaid_fences_become_pre_blocks() {
        let md = "text\n```mermaid\nA->>B: x < y\n```\nmore\n";
        assert_eq!(
            mermaid_blocks(md).unwrap(),
            "text\n<pre class=\"mermaid\">\nA-&gt;&gt;B: x &lt; y\n</pre>\nmore\n"
        );
    }

    #[test]
    fn every_exercise_has_a_box_and_unknown_ids_fail() {
        let pre = CoursePreprocessor {
            course: Course::embedded(),
            src: PathBuf::new(),
            catalog: None,
        };
        for e in &pre.course.exercises {
            let html = pre
                .exercise_boxes(&format!("# x\n{{{{#exercise {}}}}}\n", e.id))
                .unwrap();
            assert!(html.contains(&format!("cargo xtask test {}", e.id)));
        }
        assert!(pre.exercise_boxes("{{#exercise 99.9}}").is_err());
    }
}
