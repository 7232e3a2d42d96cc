//! The book in other languages, with gettext, as Comprehensive Rust does
//! (mdbook-i18n-helpers, used here as a library):
//!
//! - `cargo xtask book --xgettext` extracts every paragraph, heading, list
//!   item and table cell of the sources, the chapter titles of SUMMARY.md and
//!   the exercises' titles and claims from course.toml into
//!   `book/po/messages.pot`, and merges it into each `book/po/<lang>.po`:
//!   translations of messages still there are kept, new messages are added
//!   untranslated, messages gone are dropped;
//! - `cargo xtask book --language uk` translates the book with `po/uk.po`
//!   before mdBook's own preprocessors run, so code listings, included from
//!   the compiled sources, are never translated. A message without a current
//!   translation (new, changed, or marked fuzzy) stays in English: a paragraph
//!   is never empty.

use anyhow::Context;
use mdbook_driver::MDBook;
use mdbook_i18n_helpers::extract_messages;
use mdbook_i18n_helpers::gettext::{add_stripped_summary_translations, translate_book};
use mdbook_preprocessor::book::BookItem;
use polib::catalog::Catalog;
use polib::message::{Message, MessageMutView};
use polib::metadata::CatalogMetadata;
use polib::po_file;
use racecourse_kit::manifest::Course;
use std::path::{Path, PathBuf};

/// The languages the book is translated into: code, and name in itself.
pub const LANGUAGES: [(&str, &str); 1] = [("uk", "Українська")];

/// Text the course's preprocessor writes into pages (book.rs's exercise
/// boxes, instructors.rs's schedule), translated like the pages' own.
const GENERATED: [&str; 13] = [
    "Exercise",
    "The spec proves:",
    "Edit",
    ", then run",
    "Stuck?",
    "Needs",
    "nothing but Rust: it runs in memory",
    " and ",
    "module",
    "segments",
    "exercises",
    "time in class",
    "all modules",
];

fn po_dir(root: &Path) -> PathBuf {
    root.join("book/po")
}

fn message(msgid: &str, source: String, msgstr: &str) -> Message {
    Message::build_singular()
        .with_msgid(msgid.to_string())
        .with_msgstr(msgstr.to_string())
        .with_source(source)
        .done()
}

/// Every translatable message of the book, in the order a reader meets them.
fn metadata(language: &str) -> CatalogMetadata {
    let mut metadata = CatalogMetadata::new();
    metadata.project_id_version = "Racecourse".into();
    metadata.mime_version = "1.0".into();
    metadata.content_type = "text/plain; charset=UTF-8".into();
    metadata.content_transfer_encoding = "8bit".into();
    metadata.language = language.into();
    metadata
}

pub fn template(root: &Path) -> anyhow::Result<Catalog> {
    let mut catalog = Catalog::new(metadata(""));
    let mut add = |msgid: &str, source: String| {
        if catalog.find_message(None, msgid, None).is_none() {
            catalog.append_or_update(message(msgid, source, ""));
        }
    };
    let book = MDBook::load(root.join("book")).context("cannot load the book")?;
    // The table of contents as mdBook hands it over: part titles and chapter
    // names, without SUMMARY.md's links.
    for item in book.book.iter() {
        match item {
            BookItem::PartTitle(title) => add(title, "src/SUMMARY.md".into()),
            BookItem::Chapter(chapter) => add(&chapter.name, "src/SUMMARY.md".into()),
            BookItem::Separator => {}
        }
    }
    for item in book.book.iter() {
        if let BookItem::Chapter(chapter) = item {
            let path = chapter.source_path.clone().unwrap_or_default();
            for (line, found) in extract_messages(&chapter.content)? {
                add(&found.message, format!("src/{}:{line}", path.display()));
            }
            for diagram in mermaid_sources(&chapter.content) {
                add(diagram, format!("src/{}:diagram", path.display()));
            }
        }
    }
    for text in GENERATED {
        add(text, "xtask/tools (generated)".into());
    }
    let course = Course::load(root)?;
    for m in &course.modules {
        add(&m.title, format!("course.toml:{}", m.id));
    }
    for e in &course.exercises {
        add(&e.title, format!("course.toml:{}", e.id));
        add(&e.proves, format!("course.toml:{}", e.id));
    }
    Ok(catalog)
}

/// Writes the template and merges it into each language's catalogue; returns
/// a line per language with its translated share.
pub fn xgettext(root: &Path) -> anyhow::Result<String> {
    let template = template(root)?;
    std::fs::create_dir_all(po_dir(root))?;
    po_file::write(&template, &po_dir(root).join("messages.pot"))?;
    let mut report = format!("{} messages in book/po/messages.pot\n", template.count());
    for (lang, _) in LANGUAGES {
        let path = po_dir(root).join(format!("{lang}.po"));
        let old = if path.is_file() {
            Some(po_file::parse(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?)
        } else {
            None
        };
        let mut merged = Catalog::new(metadata(lang));
        for m in template.messages() {
            let kept = old
                .as_ref()
                .and_then(|o| o.find_message(None, m.msgid(), None))
                .filter(|o| o.is_translated())
                .map(|o| (o.msgstr().unwrap_or("").to_string(), o.is_fuzzy()));
            let mut fresh = message(m.msgid(), m.source().to_string(), "");
            if prose_free(m.msgid()) {
                *fresh.msgstr_mut()? = m.msgid().to_string();
            } else if let Some((msgstr, fuzzy)) = kept {
                *fresh.msgstr_mut()? = msgstr;
                if fuzzy {
                    fresh.flags_mut().add_flag("fuzzy");
                }
            }
            merged.append_or_update(fresh);
        }
        po_file::write(&merged, &path)?;
        report.push_str(&share_line(lang, &template, &merged));
    }
    Ok(report)
}

/// True when `text` has nothing to translate: no letters outside its code
/// spans (`01.4`, `` `sqlx` ``, `{{#schedule}}`). It is its own translation.
fn prose_free(text: &str) -> bool {
    // `#include ...}}`: what gettext makes of an include inside a code block.
    let trimmed = text.trim();
    let directive =
        (trimmed.starts_with("{{#") || trimmed.starts_with("#include ")) && trimmed.ends_with("}}");
    directive
        || text
            .split('`')
            .step_by(2)
            .all(|outside| !outside.chars().any(char::is_alphabetic))
}

/// The translated share of `translation` against `template`.
pub fn share(template: &Catalog, translation: &Catalog) -> (usize, usize) {
    let done = template
        .messages()
        .filter(|m| {
            translation
                .find_message(None, m.msgid(), None)
                .is_some_and(|t| t.is_translated() && !t.is_fuzzy())
        })
        .count();
    (done, template.count())
}

fn share_line(lang: &str, template: &Catalog, translation: &Catalog) -> String {
    let (done, all) = share(template, translation);
    format!(
        "{lang}: {done} of {all} messages translated ({:.0}%)\n",
        100.0 * done as f64 / all.max(1) as f64
    )
}

/// The catalogue of `lang`, ready to translate with.
pub fn catalog(root: &Path, lang: &str) -> anyhow::Result<Catalog> {
    let path = po_dir(root).join(format!("{lang}.po"));
    let mut catalog = po_file::parse(&path)
        .map_err(|e| anyhow::anyhow!("no catalogue for {lang} ({}): {e}", path.display()))?;
    add_stripped_summary_translations(&mut catalog);
    Ok(catalog)
}

/// The sources of the ```` ```mermaid ```` blocks of `markdown`. gettext
/// leaves code blocks alone, so a diagram is one message: its labels are
/// prose, and its translation is the whole diagram with them translated.
fn mermaid_sources(markdown: &str) -> impl Iterator<Item = &str> {
    markdown.split("```mermaid\n").skip(1).filter_map(|rest| {
        let end = rest.find("```")?;
        Some(&rest[..end])
    })
}

/// `markdown` with each diagram replaced by its translation, where it has one.
fn translate_diagrams(markdown: &str, catalog: &Catalog) -> String {
    let mut out = markdown.to_string();
    for diagram in mermaid_sources(markdown) {
        let translated = lookup(Some(catalog), diagram);
        if translated != diagram {
            out = out.replacen(diagram, &translated, 1);
        }
    }
    out
}

/// Translates the loaded book's sources, then reports the share translated.
pub fn translate(root: &Path, book: &mut MDBook, lang: &str) -> anyhow::Result<String> {
    let catalog = catalog(root, lang)?;
    translate_book(&catalog, &mut book.book)?;
    book.book.for_each_mut(|item| {
        if let BookItem::Chapter(chapter) = item {
            chapter.content = translate_diagrams(&chapter.content, &catalog);
        }
    });
    Ok(share_line(lang, &template(root)?, &catalog))
}

/// `text`'s translation in `catalog`, or `text` itself.
pub fn lookup(catalog: Option<&Catalog>, text: &str) -> String {
    catalog
        .and_then(|c| c.find_message(None, text, None))
        .filter(|m| m.is_translated() && !m.is_fuzzy())
        .and_then(|m| m.msgstr().ok().map(str::to_string))
        .unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagram_is_one_message() {
        let md = "text\n```mermaid\nA->>B: hello\n```\nmore\n```rust\nx\n```\n";
        assert_eq!(
            mermaid_sources(md).collect::<Vec<_>>(),
            vec!["A->>B: hello\n"]
        );
        let mut catalog = Catalog::new(CatalogMetadata::new());
        catalog.append_or_update(message("A->>B: hello\n", String::new(), "A->>B: привіт\n"));
        assert_eq!(
            translate_diagrams(md, &catalog),
            "text\n```mermaid\nA->>B: привіт\n```\nmore\n```rust\nx\n```\n"
        );
    }

    #[test]
    fn code_and_numbers_need_no_translation() {
        assert!(prose_free("01.4"));
        assert!(prose_free("`modules/NN-name/`"));
        assert!(prose_free("`moka`, `quick_cache`, `lru`"));
        assert!(prose_free("{{#exercise 01.4}}"));
        assert!(!prose_free("01.4 to 01.7"));
        assert!(!prose_free("`sqlx` with a pool"));
    }

    #[test]
    fn a_missing_translation_falls_back_to_the_english() {
        let mut catalog = Catalog::new(CatalogMetadata::new());
        catalog.append_or_update(message("The race", String::new(), "Гонитва"));
        let mut fuzzy = message("The fix", String::new(), "Виправлення");
        fuzzy.flags_mut().add_flag("fuzzy");
        catalog.append_or_update(fuzzy);
        assert_eq!(lookup(Some(&catalog), "The race"), "Гонитва");
        assert_eq!(lookup(Some(&catalog), "The fix"), "The fix");
        assert_eq!(lookup(Some(&catalog), "New text"), "New text");
        assert_eq!(lookup(None, "The race"), "The race");
    }
}
