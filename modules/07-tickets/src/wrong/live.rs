//! 07.5's fixes that almost work.

use crate::live::{Event, Notifier};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::mpsc;

// ANCHOR: one_page_per_user
/// A map from user to channel: the events go to the right user, but a second
/// page (a second tab, a phone) replaces the first, which hears nothing more.
pub struct OnePagePerUser {
    capacity: usize,
    pages: Mutex<HashMap<String, mpsc::Sender<Event>>>,
}

impl Notifier for OnePagePerUser {
    fn new(capacity: usize) -> Self {
        OnePagePerUser {
            capacity,
            pages: Mutex::new(HashMap::new()),
        }
    }

    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event> {
        let (tx, rx) = mpsc::channel(self.capacity);
        self.pages.lock().unwrap().insert(user.to_string(), tx);
        rx
    }

    async fn publish(&self, event: Event) {
        let mut pages = self.pages.lock().unwrap();
        pages.retain(|user, tx| {
            if event.user().is_some_and(|u| u != user) {
                return !tx.is_closed();
            }
            !matches!(
                tx.try_send(event.clone()),
                Err(mpsc::error::TrySendError::Closed(_))
            )
        });
    }
    // ANCHOR_END: one_page_per_user

    fn subscribers(&self) -> usize {
        self.pages.lock().unwrap().len()
    }
}

/// Every page with its user: what the two fixes below share.
pub struct Pages {
    capacity: usize,
    pages: Mutex<Vec<(String, mpsc::Sender<Event>)>>,
}

impl Pages {
    fn new(capacity: usize) -> Pages {
        Pages {
            capacity,
            pages: Mutex::new(Vec::new()),
        }
    }

    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event> {
        let (tx, rx) = mpsc::channel(self.capacity);
        self.pages.lock().unwrap().push((user.to_string(), tx));
        rx
    }

    /// The channels `event` concerns.
    fn concerned(&self, event: &Event) -> Vec<mpsc::Sender<Event>> {
        let pages = self.pages.lock().unwrap();
        pages
            .iter()
            .filter(|(user, _)| event.user().is_none_or(|u| u == user))
            .map(|(_, tx)| tx.clone())
            .collect()
    }

    fn len(&self) -> usize {
        self.pages.lock().unwrap().len()
    }
}

// ANCHOR: awaits_each_page
/// The right pages, and no lock held across the await; but `send().await`
/// waits for room in each page's channel in turn. A page that stopped reading
/// (a laptop lid closed) fills its channel, and every later event, for
/// everybody, waits behind it.
pub struct AwaitsEachPage(Pages);

impl Notifier for AwaitsEachPage {
    fn new(capacity: usize) -> Self {
        AwaitsEachPage(Pages::new(capacity))
    }

    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event> {
        self.0.subscribe(user)
    }

    async fn publish(&self, event: Event) {
        for tx in self.0.concerned(&event) {
            let _ = tx.send(event.clone()).await;
        }
    }
    // ANCHOR_END: awaits_each_page

    fn subscribers(&self) -> usize {
        self.0.len()
    }
}

// ANCHOR: never_forgets
/// `try_send` and its errors ignored: nobody waits, but a closed page is never
/// removed. Every page ever opened stays in the list, and each event is
/// offered to all of them: memory and time that grow for ever.
pub struct NeverForgets(Pages);

impl Notifier for NeverForgets {
    fn new(capacity: usize) -> Self {
        NeverForgets(Pages::new(capacity))
    }

    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event> {
        self.0.subscribe(user)
    }

    async fn publish(&self, event: Event) {
        for tx in self.0.concerned(&event) {
            let _ = tx.try_send(event.clone());
        }
    }
    // ANCHOR_END: never_forgets

    fn subscribers(&self) -> usize {
        self.0.len()
    }
}
