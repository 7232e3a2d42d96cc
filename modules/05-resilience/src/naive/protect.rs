//! 05.3, naive: no protection at all.

use crate::protect::Limits;
use axum::Router;

// ANCHOR: naive
/// Every request goes straight to the handler: 1000 at once are 1000 in
/// flight, a slow handler makes all of them slow, and a handler that hangs
/// holds its client for as long as the client waits.
pub fn unprotected(router: Router, _limits: Limits) -> Router {
    router
}
// ANCHOR_END: naive
