//! 07.5, naive: every page hears everything.

use crate::live::{Event, Notifier};
use std::sync::Mutex;
use tokio::sync::mpsc;

/// One list of pages, every event to each: Ann's page shows Bob's reservation.
pub struct Everyone {
    capacity: usize,
    pages: Mutex<Vec<mpsc::Sender<Event>>>,
}

impl Notifier for Everyone {
    fn new(capacity: usize) -> Self {
        Everyone {
            capacity,
            pages: Mutex::new(Vec::new()),
        }
    }

    fn subscribe(&self, _user: &str) -> mpsc::Receiver<Event> {
        let (tx, rx) = mpsc::channel(self.capacity);
        self.pages.lock().unwrap().push(tx);
        rx
    }

    // ANCHOR: naive
    async fn publish(&self, event: Event) {
        let mut pages = self.pages.lock().unwrap();
        pages.retain(|tx| {
            !matches!(
                tx.try_send(event.clone()),
                Err(mpsc::error::TrySendError::Closed(_))
            )
        });
    }
    // ANCHOR_END: naive

    fn subscribers(&self) -> usize {
        self.pages.lock().unwrap().len()
    }
}
