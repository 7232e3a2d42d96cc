//! Compiles every catalogue in: `catalogue/<language>/*.ftl`, English first,
//! so that adding a language is adding its folder, and the runner and the
//! specs need no file at run time.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue");
    println!("cargo::rerun-if-changed={}", root.display());
    let mut languages: Vec<_> = std::fs::read_dir(&root)
        .expect("modules/i18n/catalogue")
        .map(|entry| entry.expect("a catalogue folder").path())
        .filter(|path| path.is_dir())
        .collect();
    languages.sort_by_key(|path| (!path.ends_with("en"), path.clone()));
    let mut out = String::from("&[\n");
    for language in languages {
        println!("cargo::rerun-if-changed={}", language.display());
        let mut files: Vec<_> = std::fs::read_dir(&language)
            .expect("a catalogue folder")
            .map(|entry| entry.expect("a catalogue file").path())
            .filter(|path| path.extension().is_some_and(|e| e == "ftl"))
            .collect();
        files.sort();
        let code = language.file_name().unwrap().to_str().unwrap();
        write!(out, "    ({code:?}, &[").unwrap();
        for file in files {
            println!("cargo::rerun-if-changed={}", file.display());
            write!(out, "include_str!({:?}), ", file.display().to_string()).unwrap();
        }
        out.push_str("]),\n");
    }
    out.push(']');
    let generated = Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalogues.rs");
    std::fs::write(generated, out).expect("OUT_DIR is writable");
}
