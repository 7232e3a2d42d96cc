//! The instructor's guide, gathered from the chapters when the book is built,
//! so that it can never disagree with them:
//!
//! - `{{#schedule}}`: the schedule, added up from the timing tables of every
//!   module's `instructor-notes.md`. A timing row is a table row whose first
//!   cell is a duration: `| 10 min | ... |`, `| 1 h | ... |`, `| 1 h 30 min | ... |`;
//! - `{{#demos}}`: every module's `demo.md`, one section each;
//! - `{{#discussion}}`: every module's "Discussion questions" section.

use anyhow::bail;
use racecourse_kit::manifest::Course;
use std::path::Path;

/// Minutes in a duration cell, `None` if the cell is not one.
fn minutes(cell: &str) -> Option<u32> {
    let mut total = 0;
    let mut words = cell.split_whitespace().peekable();
    words.peek()?;
    while let Some(number) = words.next() {
        let n: u32 = number.parse().ok()?;
        match words.next() {
            Some("h") => total += 60 * n,
            Some("min") => total += n,
            // "1 h 30": the minutes after the hours may go without their unit.
            None if total > 0 => total += n,
            _ => return None,
        }
    }
    Some(total)
}

/// The timing rows of one module's instructor notes: (minutes, what happens).
pub fn segments(notes: &str) -> Vec<(u32, String)> {
    notes
        .lines()
        .filter_map(|line| {
            let mut cells = line.trim().strip_prefix('|')?.split('|');
            let time = minutes(cells.next()?.trim())?;
            Some((time, cells.next().unwrap_or("").trim().to_string()))
        })
        .collect()
}

fn hours(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m:02}"),
    }
}

/// The schedule as a Markdown table: a row per module, then the total.
pub fn table(course: &Course, src: &Path, tr: &dyn Fn(&str) -> String) -> anyhow::Result<String> {
    let mut out = format!(
        "| {} | {} | {} | {} |\n| --- | --- | --- | --- |\n",
        tr("module"),
        tr("segments"),
        tr("exercises"),
        tr("time in class")
    );
    let mut total = 0;
    for module in &course.modules {
        let notes = src.join(&module.dir).join("instructor-notes.md");
        let Ok(text) = std::fs::read_to_string(&notes) else {
            bail!(
                "{{{{#schedule}}}}: module {} has no {}",
                module.id,
                notes.display()
            );
        };
        let rows = segments(&text);
        if rows.is_empty() {
            bail!(
                "{{{{#schedule}}}}: {} has no timing table (rows like `| 10 min | ... |`)",
                notes.display()
            );
        }
        let minutes: u32 = rows.iter().map(|(m, _)| m).sum();
        let exercises = course
            .exercises
            .iter()
            .filter(|e| e.id.starts_with(&format!("{}.", module.id)))
            .count();
        total += minutes;
        out.push_str(&format!(
            "| [{} {}](../{}/instructor-notes.md) | {} | {exercises} | {} |\n",
            module.id,
            tr(&module.title),
            module.dir,
            rows.len(),
            hours(minutes)
        ));
    }
    out.push_str(&format!(
        "| **{}** | | | **{}** |\n",
        tr("all modules"),
        hours(total)
    ));
    Ok(out)
}

/// Replaces the guide's directives in `markdown`.
pub fn expand(
    markdown: &str,
    course: &Course,
    src: &Path,
    tr: &dyn Fn(&str) -> String,
) -> anyhow::Result<String> {
    let mut out = markdown.to_string();
    if out.contains("{{#schedule}}") {
        out = out.replace("{{#schedule}}", &table(course, src, tr)?);
    }
    if out.contains("{{#demos}}") {
        out = out.replace("{{#demos}}", &gathered(course, src, "demo.md", None, tr)?);
    }
    if out.contains("{{#discussion}}") {
        let section = Some("## Discussion questions");
        out = out.replace(
            "{{#discussion}}",
            &gathered(course, src, "instructor-notes.md", section, tr)?,
        );
    }
    Ok(out)
}

/// For each module, a `##` section holding its `file` (without its title), or
/// only that file's `section` when one is named. Headings inside move down a
/// level, and relative links are made relative to this page (one folder
/// down from the book's root).
fn gathered(
    course: &Course,
    src: &Path,
    file: &str,
    section: Option<&str>,
    tr: &dyn Fn(&str) -> String,
) -> anyhow::Result<String> {
    let mut out = String::new();
    for module in &course.modules {
        let path = src.join(&module.dir).join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            bail!("module {} has no {}", module.id, path.display());
        };
        let body = match section {
            Some(heading) => {
                let Some(start) = text.find(heading) else {
                    bail!("{} has no \"{heading}\" section", path.display());
                };
                let rest = &text[start + heading.len()..];
                rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
            }
            None => text
                .split_once('\n')
                .map_or(String::new(), |(_, rest)| rest.to_string()),
        };
        out.push_str(&format!(
            "## [{} {}](../{}/index.md)\n\n",
            module.id,
            tr(&module.title),
            module.dir
        ));
        for line in body.trim().lines() {
            let line = if line.starts_with('#') {
                format!("#{line}")
            } else {
                line.to_string()
            };
            // mdBook serves a chapter's README.md as index.html.
            out.push_str(&relink(&line, &module.dir).replace("/README.md", "/index.md"));
            out.push('\n');
        }
        out.push('\n');
    }
    Ok(out)
}

/// Markdown links relative to a module's folder, made relative to a page one
/// folder down from the book's root: `(02-layer.md)` becomes `(../02-idempotency/02-layer.md)`.
fn relink(line: &str, dir: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        let external = rest.starts_with("http") || rest.starts_with('#') || rest.starts_with('/');
        if rest.starts_with("../") {
            rest = &rest[3..];
            out.push_str("../");
        } else if !external {
            out.push_str(&format!("../{dir}/"));
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_durations_and_skips_other_rows() {
        assert_eq!(minutes("10 min"), Some(10));
        assert_eq!(minutes("1 h"), Some(60));
        assert_eq!(minutes("1 h 30 min"), Some(90));
        assert_eq!(minutes("1 h 30"), Some(90));
        assert_eq!(minutes("time"), None);
        assert_eq!(minutes("---"), None);
        assert_eq!(minutes(""), None);
        let notes = "| time | segment |\n| --- | --- |\n| 10 min | The race |\n| 1 h | 01.4 |\n";
        assert_eq!(
            segments(notes),
            vec![(10, "The race".to_string()), (60, "01.4".to_string())]
        );
        assert_eq!(hours(215), "3 h 35");
    }

    #[test]
    fn links_follow_the_gathered_text() {
        assert_eq!(
            relink(
                "see [02.2](02-layer.md) and [k](../kit.md#x) and [w](https://x)",
                "02-idempotency"
            ),
            "see [02.2](../02-idempotency/02-layer.md) and [k](../kit.md#x) and [w](https://x)"
        );
    }
}
