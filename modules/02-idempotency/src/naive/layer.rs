//! 02.2, naive: no layer. The handler sees every retry.

use axum::Router;

// ANCHOR: naive
/// The router as it is: a client that timed out and sends its POST again (or
/// fifty times at once) runs the handler again each time, and is charged each
/// time.
pub fn no_layer(router: Router) -> Router {
    router
}
// ANCHOR_END: naive
