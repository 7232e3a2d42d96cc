//! 05.3: protections that look right. Each is a pair of layers written with
//! `axum::middleware::from_fn_with_state` (a tower layer from an async
//! function); each pair gets one of the two wrong and the other as
//! [`bulkhead`] and [`timeout`] do it.

use crate::protect::{Limits, overloaded, timed_out};
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// The places inside, the places to wait in, and the limits.
#[derive(Clone)]
struct Places {
    inside: Arc<Semaphore>,
    waiting: Arc<Semaphore>,
    limits: Limits,
}

fn places(limits: Limits) -> Places {
    Places {
        inside: Arc::new(Semaphore::new(limits.max_in_flight)),
        waiting: Arc::new(Semaphore::new(limits.max_waiting)),
        limits,
    }
}

/// The bulkhead done right: a place inside at once, else a place to wait
/// in for at most `max_wait`, else 503 at once.
async fn bulkhead(State(places): State<Places>, request: Request, next: Next) -> Response {
    if let Ok(_inside) = places.inside.clone().try_acquire_owned() {
        return next.run(request).await;
    }
    let Ok(waiting) = places.waiting.try_acquire() else {
        return overloaded();
    };
    let wait = tokio::time::timeout(
        places.limits.max_wait,
        places.inside.clone().acquire_owned(),
    );
    let Ok(Ok(_inside)) = wait.await else {
        return overloaded();
    };
    drop(waiting);
    next.run(request).await
}

/// The timeout done right: the handler's future is dropped when it expires.
async fn timeout(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    tokio::time::timeout(limit, next.run(request))
        .await
        .unwrap_or_else(|_| timed_out(limit))
}

fn with_timeout(router: Router, limits: Limits) -> Router {
    router.layer(from_fn_with_state(limits.timeout, timeout))
}

// ANCHOR: unbounded_queue
/// A concurrency limit, as tower's `ConcurrencyLimit` is: at most
/// `max_in_flight` inside, every other request waits for a place, however
/// many there are and however long it takes. Nothing is refused, so nothing
/// is fast: the 1000th request of a burst waits for 19 rounds of the
/// handler, and under a steady overload the queue only grows. Caught when
/// 1000 requests at once all get 200, the last after 2 s.
async fn queue(State(places): State<Places>, request: Request, next: Next) -> Response {
    let _inside = places.inside.acquire().await;
    next.run(request).await
}
// ANCHOR_END: unbounded_queue

pub fn unbounded_queue(router: Router, limits: Limits) -> Router {
    with_timeout(router, limits).layer(from_fn_with_state(places(limits), queue))
}

// ANCHOR: wait_without_room
/// Every request waits for a place for at most `max_wait`, but any number may
/// wait: the 900 a burst brings beyond the bulkhead and its waiting room all
/// wait the full half second, then get their 503 anyway. Slow refusals hold
/// connections and keep clients from going elsewhere. Caught when those 900
/// must be refused at once.
async fn wait_for_a_place(State(places): State<Places>, request: Request, next: Next) -> Response {
    let wait = tokio::time::timeout(places.limits.max_wait, places.inside.acquire());
    match wait.await {
        Ok(Ok(_inside)) => next.run(request).await,
        _ => overloaded(),
    }
}
// ANCHOR_END: wait_without_room

pub fn wait_without_room(router: Router, limits: Limits) -> Router {
    with_timeout(router, limits).layer(from_fn_with_state(places(limits), wait_for_a_place))
}

// ANCHOR: spawned_timeout
/// Runs the handler on a task of its own and stops waiting for it after the
/// timeout: the client gets its 504 on time, but the handler goes on
/// running (dropping a `JoinHandle` does not cancel its task), holding its
/// connection to the database, its locks, its memory, for as long as it
/// hangs. Under load the abandoned work piles up behind the 504s. Caught by
/// counting handlers still running after their timeouts.
async fn spawned(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let handler = tokio::spawn(next.run(request));
    match tokio::time::timeout(limit, handler).await {
        Ok(Ok(response)) => response,
        _ => timed_out(limit),
    }
}
// ANCHOR_END: spawned_timeout

pub fn spawned_timeout(router: Router, limits: Limits) -> Router {
    router
        .layer(from_fn_with_state(limits.timeout, spawned))
        .layer(from_fn_with_state(places(limits), bulkhead))
}

/// The bulkhead's counts, kept by hand.
struct Counts {
    inside: AtomicUsize,
    waiting: AtomicUsize,
    freed: Notify,
    limits: Limits,
}

impl Counts {
    fn try_enter(&self) -> bool {
        let max = self.limits.max_in_flight;
        self.inside
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .is_ok()
    }

    fn leave(&self) {
        self.inside.fetch_sub(1, Ordering::SeqCst);
        self.freed.notify_one();
    }
}

// ANCHOR: counts_by_hand
/// The bulkhead with counters instead of semaphores: each check-and-count is
/// one atomic step, waiters wake on a `Notify`, every limit holds. But a
/// place is given back by the line after the handler's answer, and a request
/// whose client went away is dropped at its `.await`: that line never runs.
/// Each disconnect during an outage leaks a place, until the service refuses
/// everything. Caught when 100 clients leave and the next 100 requests find
/// no place.
async fn counted(State(counts): State<Arc<Counts>>, request: Request, next: Next) -> Response {
    if !counts.try_enter() {
        let room = counts.limits.max_waiting;
        let waiting = counts.waiting.fetch_add(1, Ordering::SeqCst);
        let entered = waiting < room && {
            let wait = async {
                loop {
                    let freed = counts.freed.notified();
                    if counts.try_enter() {
                        break;
                    }
                    freed.await;
                }
            };
            tokio::time::timeout(counts.limits.max_wait, wait)
                .await
                .is_ok()
        };
        counts.waiting.fetch_sub(1, Ordering::SeqCst);
        if !entered {
            return overloaded();
        }
    }
    let response = next.run(request).await;
    counts.leave();
    response
}
// ANCHOR_END: counts_by_hand

pub fn counts_by_hand(router: Router, limits: Limits) -> Router {
    let counts = Arc::new(Counts {
        inside: AtomicUsize::new(0),
        waiting: AtomicUsize::new(0),
        freed: Notify::new(),
        limits,
    });
    with_timeout(router, limits).layer(from_fn_with_state(counts, counted))
}
