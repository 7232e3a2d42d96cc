//! What keeps the catalogues in step with the code (`cargo xtask verify`):
//! every catalogue parses; every message the code uses with [`crate::t!`] is in
//! every catalogue; English has no message the code does not use; a
//! translation has no message English lacks and uses no variable English's
//! does not; every exercise's title and hint (and likely cause of a hang,
//! where course.toml gives one) is translated.

use crate::CATALOGUES;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use fluent_syntax::parser;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A catalogue's messages: id to the variables the message uses.
type Messages = BTreeMap<String, BTreeSet<String>>;

/// What a catalogue check found wrong, one line each; empty when all is well.
pub fn problems(code: &BTreeSet<String>, exercise_ids: &BTreeSet<String>) -> Vec<String> {
    let mut found = vec![];
    let mut parsed = vec![];
    for (lang, files) in CATALOGUES {
        match messages(files) {
            Ok(messages) => parsed.push((*lang, messages)),
            Err(e) => found.push(format!("catalogue/{lang}: {e}")),
        }
    }
    let Some((_, english)) = parsed.first() else {
        return found;
    };
    for id in code {
        if !english.contains_key(id) {
            found.push(format!(
                "catalogue/en has no message `{id}`, which the code uses"
            ));
        }
    }
    for id in english.keys().filter(|id| !code.contains(*id)) {
        found.push(format!("catalogue/en has `{id}`, which no code uses"));
    }
    for (lang, messages) in &parsed[1..] {
        for id in english.keys().chain(exercise_ids) {
            if !messages.contains_key(id) {
                found.push(format!("catalogue/{lang} has no `{id}`"));
            }
        }
        for (id, variables) in messages {
            let known = english.get(id);
            // A check's name (`exercise-01-1-check-...`) is translated where a
            // translation has it, and shown in English where not.
            let a_check = id.starts_with("exercise-") && id.contains("-check-");
            if known.is_none() && !exercise_ids.contains(id) && !a_check {
                found.push(format!("catalogue/{lang} has `{id}`, which English lacks"));
            }
            let empty = BTreeSet::new();
            for variable in variables.difference(known.unwrap_or(&empty)) {
                found.push(format!(
                    "catalogue/{lang}: `{id}` uses ${variable}, which the code does not pass"
                ));
            }
        }
    }
    found
}

/// The share of each translation's messages present, for a report:
/// `(language, present, wanted)`.
pub fn coverage(exercise_ids: &BTreeSet<String>) -> Vec<(&'static str, usize, usize)> {
    let english = messages(CATALOGUES[0].1).unwrap_or_default();
    let wanted: BTreeSet<&String> = english.keys().chain(exercise_ids).collect();
    CATALOGUES[1..]
        .iter()
        .map(|(lang, files)| {
            let messages = messages(files).unwrap_or_default();
            let present = wanted
                .iter()
                .filter(|id| messages.contains_key(**id))
                .count();
            (*lang, present, wanted.len())
        })
        .collect()
}

/// Every message id the Rust sources under `dirs` (relative to `root`) use
/// with `t!("id", ...)`. This crate's own sources are skipped: their `t!`s
/// are examples and tests of the machinery, not messages.
pub fn ids_in_code(root: &Path, dirs: &[&str]) -> std::io::Result<BTreeSet<String>> {
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize()?;
    let mut ids = BTreeSet::new();
    for dir in dirs {
        visit(&root.join(dir), &own, &mut |source| {
            ids.extend(ids_in(source))
        })?;
    }
    Ok(ids)
}

fn visit(dir: &Path, skip: &Path, each: &mut dyn FnMut(&str)) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            let own = path.canonicalize().is_ok_and(|p| p == skip);
            if name != "target" && !name.starts_with('.') && !own {
                visit(&path, skip, each)?;
            }
        } else if name.ends_with(".rs") {
            each(&std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// The ids of the `t!("...")` calls in one source file, the id on the same
/// line or the next. `format!(` ends in `t!(` too: the `t` must start a word
/// (or follow a path's `::`).
fn ids_in(source: &str) -> Vec<String> {
    const CALL: &str = "t!(";
    let mut ids = vec![];
    for (at, _) in source.match_indices(CALL) {
        let before = source[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = source[at + CALL.len()..].trim_start();
        if let Some(quoted) = rest.strip_prefix('"')
            && let Some(end) = quoted.find('"')
        {
            ids.push(quoted[..end].to_string());
        }
    }
    ids
}

/// A catalogue's messages and the variables each uses, from all its files;
/// a message in two files is an error (Fluent would keep the first).
fn messages(files: &[&str]) -> Result<Messages, String> {
    let mut messages = Messages::new();
    for source in files {
        let resource = parser::parse(*source).map_err(|(_, errors)| {
            errors
                .iter()
                .map(|e| format!("{e:?}"))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        for entry in resource.body {
            if let Entry::Message(message) = entry {
                let mut variables = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    pattern_variables(pattern, &mut variables);
                }
                let id = message.id.name.to_string();
                if messages.insert(id.clone(), variables).is_some() {
                    return Err(format!("`{id}` is in two of its files"));
                }
            }
        }
    }
    Ok(messages)
}

fn pattern_variables(pattern: &Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, into);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        Expression::Select { selector, variants } => {
            inline_variables(selector, into);
            for variant in variants {
                pattern_variables(&variant.value, into);
            }
        }
        Expression::Inline(inline) => inline_variables(inline, into),
    }
}

fn inline_variables(inline: &InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_string());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, into);
            }
            for named in &arguments.named {
                inline_variables(&named.value, into);
            }
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, into),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_t_calls_but_not_format() {
        let source =
            "let a = t!(\"one\", n = 1); format!(\"two\"); racecourse_i18n::t!(\n    \"three\");";
        assert_eq!(ids_in(source), ["one", "three"]);
    }

    #[test]
    fn reads_variables_through_plurals() {
        let found =
            messages(&["m = { $count ->\n    [one] one { $id }\n   *[other] many\n}\n"]).unwrap();
        let expected: BTreeSet<String> = ["count", "id"].map(String::from).into();
        assert_eq!(found["m"], expected);
    }

    #[test]
    fn a_message_in_two_files_is_an_error() {
        assert!(messages(&["a = one\n", "a = two\n"]).is_err());
    }

    #[test]
    fn a_missing_translation_and_a_stray_variable_are_problems() {
        // The real catalogues against a code that uses one message they lack.
        let code: BTreeSet<String> = ["no-such-message".to_string()].into();
        let found = problems(&code, &BTreeSet::new());
        assert!(
            found
                .iter()
                .any(|p| p.contains("no message `no-such-message`")),
            "{found:?}"
        );
    }
}
