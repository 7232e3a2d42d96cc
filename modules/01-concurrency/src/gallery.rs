//! Module 01's gallery: for each exercise, the naive code ([`crate::naive`]) and
//! the fixes students really write that almost work ([`crate::wrong`]), each
//! bound to the exercise's checks. `tests/gallery.rs` proves the spec catches
//! every one of them on every run; `cargo xtask stress <id> --impl <name>`
//! repeats one of them.
//!
//! Adding a wrong fix: write it in `wrong/<exercise file>.rs` with a doc comment
//! saying why it is wrong, add a [`Suspect`] here, and include it by anchor in
//! the exercise's book page under "Fixes that almost work".

use crate::naive;
use crate::spec as s;
use crate::spec::erased as e;
use crate::wrong;
use racecourse_kit::gallery::Suspect;
use std::sync::Arc;

/// Every wrong implementation of module 01, with what its failure must say.
pub fn suspects() -> Vec<Suspect> {
    vec![
        // 01.1
        Suspect {
            exercise: "01.1",
            name: "naive",
            title: "read, yield, write",
            expect: "increments lost",
            checks: || counter::<naive::counter::NaiveCounter>(),
        },
    ]
}

/// The checks of 01.1 with both counters of one kind.
fn counter<C: crate::Counter>() -> Vec<racecourse_kit::spec::Check> {
    s::counter::checks(e::counter::<C>, e::counter::<C>)
}
