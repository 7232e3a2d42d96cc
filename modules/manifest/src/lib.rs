//! `course.toml`, the one list of modules and exercises. The runner, the book and
//! the spec wrapper read it; nothing else keeps a second list.

pub mod services;

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The repository's root, found from this crate's place in it (`modules/manifest`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("modules/manifest sits two levels below the repository root")
        .to_path_buf()
}

/// The whole course, as `course.toml` describes it.
#[derive(Debug, Deserialize)]
pub struct Course {
    /// How many times `cargo xtask verify` runs each catch proof (the spec
    /// against the naive code and each wrong fix): a spec that catches a race
    /// only sometimes fails verify.
    #[serde(default = "default_catch_runs")]
    pub catch_runs: u32,
    #[serde(rename = "module")]
    pub modules: Vec<Module>,
    #[serde(rename = "exercise")]
    pub exercises: Vec<Exercise>,
}

/// One module: a crate in each of `modules/`, `exercises/` and `solutions/`, a
/// demo, and a chapter of the book.
#[derive(Debug, Deserialize)]
pub struct Module {
    /// Two digits, "01".
    pub id: String,
    pub title: String,
    /// The folder name shared by `modules/`, `exercises/`, `solutions/` and `book/src/`.
    pub dir: String,
    /// Cargo package names.
    pub package: String,
    pub exercises_package: String,
    pub solutions_package: String,
    pub demo_package: String,
    /// What `cargo xtask demo` provides for the demo as it runs by default
    /// ("postgres", "redis", "rabbitmq"); `--store pg` adds PostgreSQL.
    #[serde(default)]
    pub demo_services: Vec<String>,
}

/// One exercise.
#[derive(Debug, Deserialize)]
pub struct Exercise {
    /// "01.4": module, dot, number.
    pub id: String,
    pub title: String,
    /// The file the student edits, relative to the module's exercise crate.
    pub file: String,
    /// The prefix every spec test of this exercise starts with, `e01_4_`.
    pub tests: String,
    /// Backing services: "postgres", "redis"; empty for in-memory exercises.
    #[serde(default)]
    pub services: Vec<String>,
    /// What the spec proves, in one sentence.
    pub proves: String,
    pub hint: String,
    /// The wall-clock limit of each spec test, in seconds; the kit's default
    /// when absent.
    #[serde(default)]
    pub timeout: Option<u64>,
    /// The likely cause when a spec test does not finish, in the words of a
    /// teacher; a general remark when absent.
    #[serde(default)]
    pub stuck: Option<String>,
    /// What the exercise is worth to `cargo xtask grade`, earned only when
    /// every check of its spec passes; 1 when absent.
    #[serde(default = "default_points")]
    pub points: u32,
    /// Ids this exercise had before it was renumbered: a student's progress
    /// under an old id still counts (`.racecourse-progress`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Earlier exercises whose code this one's runs: 06.1's checkout pays
    /// through the student's own 05.4 client. `cargo xtask test` names them,
    /// and `cargo xtask grade` takes their files from the student too.
    #[serde(default)]
    pub builds_on: Vec<String>,
}

fn default_catch_runs() -> u32 {
    3
}

fn default_points() -> u32 {
    1
}

/// Which side of the course a crate is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Exercises,
    Solutions,
}

impl Side {
    pub fn dir(self) -> &'static str {
        match self {
            Side::Exercises => "exercises",
            Side::Solutions => "solutions",
        }
    }
}

/// A problem with `course.toml`.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid course manifest: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
}

impl Course {
    /// The manifest as it was when this crate was built: what specs use.
    pub fn embedded() -> Course {
        toml::from_str(include_str!("../../../course.toml"))
            .expect("course.toml parses (checked by `cargo xtask verify`)")
    }

    /// The manifest as it is on disk now: what the runner uses.
    pub fn load(root: &Path) -> Result<Course, ManifestError> {
        let path = root.join("course.toml");
        let text = std::fs::read_to_string(&path).map_err(|source| ManifestError::Read {
            path: path.clone(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ManifestError::Parse { path, source })
    }

    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }

    /// The module an exercise belongs to: "01.4" belongs to "01".
    pub fn module_of(&self, exercise: &Exercise) -> &Module {
        self.module(exercise.module_id())
            .unwrap_or_else(|| panic!("exercise {} has no module in course.toml", exercise.id))
    }

    pub fn module(&self, id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.id == id)
    }

    /// Every service some exercise names ("postgres", "redis"), repeats included.
    pub fn services(&self) -> impl Iterator<Item = &str> {
        self.exercises
            .iter()
            .flat_map(|e| e.services.iter().map(String::as_str))
    }

    pub fn exercises_of<'a>(&'a self, module: &'a Module) -> impl Iterator<Item = &'a Exercise> {
        self.exercises
            .iter()
            .filter(move |e| e.module_id() == module.id)
    }

    /// The file to edit, relative to the repository root.
    /// The exercises `exercise` builds on (its `builds_on`), those that exist.
    pub fn builds_on<'a>(&'a self, exercise: &'a Exercise) -> impl Iterator<Item = &'a Exercise> {
        exercise.builds_on.iter().filter_map(|id| self.exercise(id))
    }

    pub fn file_of(&self, exercise: &Exercise, side: Side) -> String {
        format!(
            "{}/{}/{}",
            side.dir(),
            self.module_of(exercise).dir,
            exercise.file
        )
    }
}

impl Exercise {
    pub fn module_id(&self) -> &str {
        self.id.split('.').next().unwrap_or(&self.id)
    }

    pub fn needs(&self, service: &str) -> bool {
        self.services.iter().any(|s| s == service)
    }

    /// "mem", "pg", "redis", "pg + redis": the backing store, as COURSE.md writes it.
    pub fn store(&self) -> String {
        if self.services.is_empty() {
            return "mem".into();
        }
        self.services
            .iter()
            .map(|s| match s.as_str() {
                "postgres" => "pg",
                other => other,
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }
}
