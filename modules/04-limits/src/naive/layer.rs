//! 04.4, naive: no layer. Every client gets everything, and learns nothing.

use crate::layer::LimitConfig;
use axum::Router;
use std::sync::Arc;

// ANCHOR: naive
/// The router as it is: no quota, no 429, no fields telling a client where it
/// stands. A scraper takes the whole capacity.
pub fn no_layer(router: Router, _config: Arc<LimitConfig>) -> Router {
    router
}
// ANCHOR_END: naive
