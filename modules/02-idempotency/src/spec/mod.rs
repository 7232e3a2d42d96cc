//! The spec of module 02: one async function per property, taking a `fn` that
//! makes the implementation as a trait object ([`erased`]), and per exercise a
//! `checks` list of them. [`crate::spec!`] runs the lists against the exercise
//! crate and the solution crate; `tests/gallery.rs` runs them against the naive
//! code and the wrong fixes, which they must catch.
//!
//! Each property is checked under real concurrency (many tasks at once, started
//! together) and ends in an exact count. Failures read like a teacher's remark.

pub mod erased;
pub mod layer;
pub mod redis_store;
pub mod store;

use std::sync::Arc;
use tokio::sync::Barrier;

/// Spawns `n` tasks that start together (they wait at a barrier, so none gets
/// a head start) and returns their results in order, re-raising a panic.
pub(crate) async fn together<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let handles = (0..n)
        .map(|i| {
            let barrier = barrier.clone();
            let work = task(i);
            tokio::spawn(async move {
                barrier.wait().await;
                work.await
            })
        })
        .collect();
    racecourse_kit::spec::join_all(handles).await
}
