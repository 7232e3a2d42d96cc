//! Exercise 01.1: a counter that many tasks increment at once.

use std::future::Future;

/// A counter shared by many tasks.
pub trait Counter: Send + Sync + 'static {
    /// A counter at zero.
    fn new() -> Self
    where
        Self: Sized;

    /// Adds one. An implementation may await between reading the old value and
    /// writing the new one (the "process" step of read, process, write); the
    /// increment must not be lost whatever other tasks do meanwhile.
    fn increment(&self) -> impl Future<Output = ()> + Send;

    /// The current value.
    fn get(&self) -> u64;
}
