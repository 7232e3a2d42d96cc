//! Proves that module 07's spec catches the naive code and every wrong fix in
//! its gallery, on every run (see `racecourse_kit::gallery` for the flags).
fn main() -> std::process::ExitCode {
    racecourse_kit::gallery::main(racecourse_07::gallery::suspects())
}
