//! Module 01's shop, measured: the four series the seeds' Go shop is
//! monitored by (`racecourse_kit::metrics`), served at `GET /metrics`.
//!
//! - `http_requests_total{status_code}`: every answer, by status, so the 409s
//!   (out of stock) and 503s (the row stayed locked) can be read as rates;
//! - `orders_created_total{status}`: each buy's outcome, for the success rate;
//! - `inventory_lock_duration_seconds`: each buy's latency (below);
//! - `pg_pool_waiting_connections`: on PostgreSQL, the tasks waiting for a
//!   connection of the pool.

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use racecourse_01::ReserveError;
use racecourse_01::demo::{Shop, app};
use racecourse_01::inventory::StockReport;
use racecourse_kit::metrics;
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// `shop`'s routes, measured, with `GET /metrics`. The `gauge` samples the
/// pool on every call of the shop and on every scrape.
pub fn router<S: Shop>(shop: S, gauge: Arc<PoolGauge>) -> Router {
    let sampled = gauge.clone();
    metrics::instrument(app(Metered { shop, gauge }))
        // Outermost, so that a scrape reads the pool as it is now.
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            if request.uri().path() == "/metrics" {
                sampled.sample();
            }
            next.run(request)
        }))
}

/// `pg_pool_waiting_connections`. sqlx's pool does not say how many tasks
/// wait in `acquire`, only how many connections it has open and how many of
/// those are idle; the shop is the pool's only user, and each of its calls
/// holds at most one connection at a time, so the calls in flight beyond the
/// connections in use are the ones waiting for one.
pub struct PoolGauge {
    pool: Option<PgPool>,
    /// The shop's calls (buys and looks) under way.
    in_flight: AtomicUsize,
    /// The most the gauge has read: a run's summary comes after its load,
    /// when nobody waits any more.
    peak: AtomicUsize,
}

impl PoolGauge {
    /// The gauge of `pool`, the shop's on PostgreSQL; `None` in memory, where
    /// there is no pool and no series.
    pub fn new(pool: Option<PgPool>) -> Arc<PoolGauge> {
        Arc::new(PoolGauge {
            pool,
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        })
    }

    /// Sets the gauge to the tasks waiting now (nothing without a pool).
    pub fn sample(&self) {
        let Some(pool) = &self.pool else { return };
        let in_use = (pool.size() as usize).saturating_sub(pool.num_idle());
        let waiting = self.in_flight.load(Ordering::SeqCst).saturating_sub(in_use);
        self.peak.fetch_max(waiting, Ordering::SeqCst);
        metrics::pool_waiting(waiting);
    }

    /// The most tasks seen waiting for a connection at once, `None` without a pool.
    pub fn peak(&self) -> Option<usize> {
        self.pool.as_ref().map(|_| self.peak.load(Ordering::SeqCst))
    }

    /// Counts a call of the shop in flight until the guard drops, even when
    /// the call panics (an unfinished exercise's `todo!()`).
    fn enter(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.sample();
        InFlight(self)
    }
}

struct InFlight<'a>(&'a PoolGauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.sample();
    }
}

/// A shop that records each order's outcome and latency, and keeps the pool
/// gauge up to date.
struct Metered<S> {
    shop: S,
    gauge: Arc<PoolGauge>,
}

impl<S: Shop> Shop for Metered<S> {
    /// Records the whole buy's latency as `inventory_lock_duration_seconds`,
    /// not the lock wait alone: the reservation is the exercise's code, which
    /// the demo cannot time from inside. Under the demo's load a buy is
    /// mostly waiting: on PostgreSQL for a connection of the pool (the gauge
    /// says how many do), then, with 01.4, for the row lock the buyers before
    /// hold; in memory, with 01.2, retrying after losing a race.
    async fn reserve(&self, product: i64, qty: i32, buyer: &str) -> Result<i64, ReserveError> {
        let _in_flight = self.gauge.enter();
        let started = Instant::now();
        let result = self.shop.reserve(product, qty, buyer).await;
        if let Some(status) = outcome(&result) {
            metrics::lock_wait(started.elapsed());
            metrics::order(status);
        }
        result
    }

    async fn report(&self, product: i64) -> Result<Option<StockReport>, ReserveError> {
        let _in_flight = self.gauge.enter();
        self.shop.report(product).await
    }
}

/// An order's `status` label; none for a request that was no order (a
/// quantity below one, a product that does not exist).
fn outcome(result: &Result<i64, ReserveError>) -> Option<&'static str> {
    match result {
        Ok(_) => Some("CONFIRMED"),
        Err(ReserveError::OutOfStock { .. }) => Some("OUT_OF_STOCK"),
        Err(ReserveError::Busy) => Some("BUSY"),
        Err(ReserveError::Db(_)) => Some("FAILED"),
        Err(ReserveError::InvalidQuantity(_) | ReserveError::UnknownProduct(_)) => None,
    }
}
