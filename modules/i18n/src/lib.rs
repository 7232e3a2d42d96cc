//! The messages a student sees, in the student's language.
//!
//! Every message the runner prints and every explanation a spec gives is an
//! entry in a [Fluent](https://projectfluent.org) catalogue, one per language
//! in `catalogue/` (`en/`, `uk/`), each a few files: the runner's messages,
//! the exercises' texts, a file per module for its specs' explanations. The code names a message by
//! its id and passes its variables, with [`t!`]:
//!
//! ```
//! let line = racecourse_i18n::t!("test-passes", id = "01.1", count = 2);
//! ```
//!
//! Fluent, rather than format strings per language, because a translation
//! needs its own grammar: Ukrainian has three plural forms (1 перевірка,
//! 2 перевірки, 5 перевірок), and a Fluent message chooses among them.
//!
//! The language is `RACECOURSE_LANG` (`uk`, `en`), else the system locale
//! (`LC_ALL`, `LC_MESSAGES`, `LANG`: `uk_UA.UTF-8` is Ukrainian), else English.
//! A message missing from a translation falls back to English; `cargo xtask
//! verify` fails before that can ship ([`check`]).
//!
//! The exercises' titles, hints and likely causes of a hang are written in
//! English in course.toml; a translation gives them as `exercise-<id>-<field>`
//! entries (`exercise-01-1-hint`), read with [`exercise`].
//!
//! Adding a language is adding its folder to `catalogue/`.

pub mod check;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::FluentValue as Value;

/// Every language the course speaks, by code, with its catalogue's files
/// (`catalogue/<code>/*.ftl`, compiled in by build.rs). English is first: it
/// is the source every other catalogue translates.
pub const CATALOGUES: &[(&str, &[&str])] = include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));

static CHOSEN: OnceLock<&'static str> = OnceLock::new();

/// The language messages are printed in: a code from [`CATALOGUES`].
pub fn language() -> &'static str {
    CHOSEN.get_or_init(|| {
        let wanted = ["RACECOURSE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty());
        wanted.map_or("en", |value| supported(&value))
    })
}

/// Makes `lang` the language of every message from now on, unless one was
/// already printed. For a program whose output is read by code rather than a
/// student: a module's gallery matches its suspects' failures against English
/// words, whatever the locale.
pub fn use_language(lang: &str) {
    let _ = CHOSEN.set(supported(lang));
}

/// The supported language a locale or language name means (`uk_UA.UTF-8` is
/// `uk`), or English.
fn supported(locale: &str) -> &'static str {
    let code = locale
        .split(['_', '-', '.', '@'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    CATALOGUES
        .iter()
        .map(|(lang, _)| *lang)
        .find(|lang| *lang == code)
        .unwrap_or("en")
}

/// One language's messages, parsed once.
struct Catalogue {
    bundle: FluentBundle<FluentResource>,
}

impl Catalogue {
    fn parse(lang: &str, files: &[&str]) -> Catalogue {
        let id: LanguageIdentifier = lang.parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks around variables: the output is a
        // terminal, where they show as stray characters.
        bundle.set_use_isolating(false);
        for source in files {
            // The catalogues are compiled in and [`check`]ed by verify: a syntax
            // error cannot reach a student, and where one slips through, the
            // entries that parsed still serve.
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
            let _ = bundle.add_resource(resource);
        }
        Catalogue { bundle }
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        let mut errors = vec![];
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }
}

fn catalogue(lang: &str) -> &'static Catalogue {
    static PARSED: OnceLock<Vec<Catalogue>> = OnceLock::new();
    let all = PARSED.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(lang, files)| Catalogue::parse(lang, files))
            .collect()
    });
    let index = CATALOGUES.iter().position(|(l, _)| *l == lang).unwrap_or(0);
    &all[index]
}

/// Message `id` in the chosen language with `args`, falling back to English,
/// and to the id itself when even English lacks it (verify prevents both).
pub fn text(id: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    text_in(language(), id, args)
}

/// Message `id` in `lang` (see [`text`]).
pub fn text_in(lang: &str, id: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        fluent.set(*name, value.clone());
    }
    let args = (!args.is_empty()).then_some(&fluent);
    catalogue(lang)
        .format(id, args)
        .or_else(|| catalogue("en").format(id, args))
        .unwrap_or_else(|| id.to_string())
}

/// The catalogue id of an exercise's text: `exercise-01-1-hint`.
pub fn exercise_id(exercise: &str, field: &str) -> String {
    format!("exercise-{}-{field}", exercise.replace('.', "-"))
}

/// An exercise's `field` (`title`, `hint`, `stuck`) in the chosen language:
/// the translation's entry, or `english`, course.toml's text.
pub fn exercise(exercise: &str, field: &str, english: &str) -> String {
    let lang = language();
    if lang == "en" {
        return english.to_string();
    }
    catalogue(lang)
        .format(&exercise_id(exercise, field), None)
        .unwrap_or_else(|| english.to_string())
}

/// The name of one of an exercise's checks, as `cargo xtask test` lists it:
/// `check` is the spec test's name without the exercise's prefix
/// (`locked_counter_loses_nothing`); a translation may give it as
/// `exercise-01-1-check-locked_counter_loses_nothing`, else it reads as the
/// name with spaces.
pub fn check_name(exercise: &str, check: &str) -> String {
    let english = check.replace('_', " ");
    self::exercise(exercise, &format!("check-{check}"), &english)
}

/// A message's variable, from what the code has: numbers stay numbers, so
/// that a translation can choose its plural form; anything else is its text.
pub trait Arg {
    fn value(&self) -> FluentValue<'static>;
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(&self) -> FluentValue<'static> {
                FluentValue::from(*self)
            }
        }
    )*};
}
number_args!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f64);

impl Arg for str {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_string())
    }
}

impl Arg for String {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::from(self.clone())
    }
}

impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self) -> FluentValue<'static> {
        (**self).value()
    }
}

/// A message from the catalogue, in the student's language:
/// `t!("test-passes", id = id, count = outcomes.len())`. The id is a literal
/// so that [`check`] finds every message the code uses.
#[macro_export]
macro_rules! t {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::text($id, &[$((stringify!($name), $crate::Arg::value(&$value))),*])
    };
}
