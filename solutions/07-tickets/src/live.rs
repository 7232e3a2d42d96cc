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
use std::sync::Mutex;
use tokio::sync::mpsc;

pub struct Hub {
    capacity: usize,
    /// Every open page: its user and its channel.
    pages: Mutex<Vec<(String, mpsc::Sender<Event>)>>,
}

impl Notifier for Hub {
    fn new(capacity: usize) -> Self {
        Hub {
            capacity,
            pages: Mutex::new(Vec::new()),
        }
    }

    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event> {
        let (tx, rx) = mpsc::channel(self.capacity);
        self.pages.lock().unwrap().push((user.to_string(), tx));
        rx
    }

    // ANCHOR: publish
    async fn publish(&self, event: Event) {
        let mut pages = self.pages.lock().unwrap();
        pages.retain(|(user, tx)| {
            if event.user().is_some_and(|u| u != user) {
                return !tx.is_closed();
            }
            // A full page misses this event; a closed one is forgotten.
            !matches!(
                tx.try_send(event.clone()),
                Err(mpsc::error::TrySendError::Closed(_))
            )
        });
    }
    // ANCHOR_END: publish

    fn subscribers(&self) -> usize {
        self.pages.lock().unwrap().len()
    }
}
