//! The naive implementations of module 07: what a first version looks like,
//! each with the race its exercise is about. The demo runs them with
//! `--impl naive`; the gallery proves the spec catches each.

pub mod checkout;
pub mod live;
pub mod queue;
pub mod sweeper;
pub mod worker;
