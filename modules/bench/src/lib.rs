//! The benches' common half. A module's bench (`src/bin/bench.rs` of its demo
//! crate, run by `cargo xtask bench NN`) drives each strategy with
//! [`drive`], runs the same SQL through pgbench with [`pgbench`], and prints
//! [`table`] and writes [`plot`]; an in-memory bench, with no pgbench to
//! stand beside, draws its own [`Chart`] with [`draw`].
//!
//! The figures are for reading, never asserted: a bench is not a test, and
//! the machine's speed is what it measures.

mod measure;
mod pgbench;
mod plot;
mod report;

pub use measure::{Attempt, Measure, client_of, drive};
pub use pgbench::{PgMeasure, pgbench, pgbench_with};
pub use plot::{Chart, Line, draw, plot};
pub use report::{Point, table};
