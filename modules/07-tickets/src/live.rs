//! Exercise 07.5: live updates. Events go to the user they concern (every open
//! page of that user) or, for a ticket's new state, to everyone; a page that
//! stops reading must not hold anybody else up.

use serde::Serialize;
use std::future::Future;
use tokio::sync::mpsc;

/// What the page hears over its WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The user's place in line changed.
    Position {
        user: String,
        queue_id: String,
        position: u64,
    },
    /// The user got the ticket, until `until_ms`.
    Reserved {
        user: String,
        ticket: i64,
        until_ms: i64,
    },
    /// Someone else got the ticket the user queued for.
    Lost { user: String, ticket: i64 },
    /// The user's reservation lapsed.
    Expired { user: String, ticket: i64 },
    /// A ticket changed state (for everyone).
    Ticket {
        ticket: i64,
        status: crate::tickets::Status,
    },
}

impl Event {
    /// The user the event concerns, or `None` when it is for everyone.
    pub fn user(&self) -> Option<&str> {
        match self {
            Event::Position { user, .. }
            | Event::Reserved { user, .. }
            | Event::Lost { user, .. }
            | Event::Expired { user, .. } => Some(user),
            Event::Ticket { .. } => None,
        }
    }
}

/// Routes events to subscribers.
pub trait Notifier: Send + Sync + 'static {
    /// Each subscriber's channel holds at most `capacity` undelivered events.
    fn new(capacity: usize) -> Self;

    /// A new subscriber for `user` (one per open page; a user may have several).
    fn subscribe(&self, user: &str) -> mpsc::Receiver<Event>;

    /// Delivers `event` to every subscriber it concerns, in order. A subscriber
    /// whose channel is full misses it; one whose receiver is gone is forgotten.
    fn publish(&self, event: Event) -> impl Future<Output = ()> + Send;

    /// How many subscribers are still registered.
    fn subscribers(&self) -> usize;
}
