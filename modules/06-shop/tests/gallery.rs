//! Proves that module 06's spec catches the naive code and every wrong fix in
//! its gallery, on every run (see `racecourse_kit::gallery` for the flags).
fn main() -> std::process::ExitCode {
    racecourse_kit::gallery::main(racecourse_06::gallery::suspects::<racecourse_05_solutions::payments::ResilientClient>())
}
