//! # 07.5 Live updates for the page
//!
//! **The race.** The page shows the place in line, the reservation and its
//! countdown as they happen, over a WebSocket. One channel for everyone
//! tells Ann about Bob's reservation; a map of one sender per user loses
//! Ann's first tab when she opens a second; awaiting each page's channel lets
//! one page that stopped reading freeze everybody's updates.
//!
//! **Your task.** Keep every subscriber (user, `mpsc::Sender`) under a
//! mutex. `publish` sends an event with a user to that user's subscribers
//! and one without to all, with `try_send`: a full channel misses the event,
//! a closed one is removed. Never hold the lock across an `.await`.
//!
//! **The spec checks**: each page gets exactly its user's events and every
//! ticket change, in order, two pages of a user both; a page that stops
//! reading holds nobody up; closed pages are forgotten. The page itself is
//! driven in a headless Chromium by the course's browser check (the book's 07.5 page).
//!
//! Run `cargo xtask test 07.5`; stuck? `cargo xtask hint 07.5`.

use racecourse_07::live::{Event, Notifier};
use tokio::sync::mpsc;

pub struct Hub {
    capacity: usize,
}

impl Notifier for Hub {
    fn new(capacity: usize) -> Self {
        Hub { capacity }
    }

    /// A channel of `self.capacity` events, its sender kept with the user.
    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event> {
        let _capacity = self.capacity;
        todo!("07.5 exercises/07-tickets/src/live.rs: Hub::subscribe({user})")
    }

    async fn publish(&self, event: Event) {
        todo!("07.5 exercises/07-tickets/src/live.rs: Hub::publish({event:?})")
    }

    /// How many pages are kept.
    fn subscribers(&self) -> usize {
        todo!("07.5 exercises/07-tickets/src/live.rs: Hub::subscribers")
    }
}
