//! Spec of 07.5 (the routing half; the page is tested in a real browser by
//! `racecourse-tools page 07`). Each page gets exactly the events of its user,
//! in order, and every ticket change; two pages of one user both get them; a
//! page that stops reading holds nobody up; closed pages are forgotten.

use super::erased::DynNotifier;
use crate::live::Event;
use crate::tickets::Status;
use racecourse_kit::i18n::t;
use racecourse_kit::spec::{Check, Runtime};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Makes the notifier with a channel capacity per subscriber.
pub type MakeNotifier = fn(usize) -> Arc<dyn DynNotifier>;

/// The checks of 07.5.
pub fn checks(make: MakeNotifier) -> Vec<Check> {
    vec![
        Check::new(
            "each_page_gets_its_users_events_only",
            Runtime::Threads,
            each_page_gets_its_users_events_only(make),
        ),
        Check::new(
            "a_page_that_stops_reading_blocks_nobody",
            Runtime::PausedClock,
            a_page_that_stops_reading_blocks_nobody(make),
        ),
        Check::new(
            "closed_pages_are_forgotten",
            Runtime::Threads,
            closed_pages_are_forgotten(make),
        ),
    ]
}

fn reserved(user: &str, ticket: i64) -> Event {
    Event::Reserved {
        user: user.into(),
        ticket,
        until_ms: 1000 + ticket,
    }
}

fn sold(ticket: i64) -> Event {
    Event::Ticket {
        ticket,
        status: Status::Sold,
    }
}

fn drain(rx: &mut mpsc::Receiver<Event>) -> Vec<Event> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

async fn each_page_gets_its_users_events_only(make: MakeNotifier) {
    let notifier = make(64);
    let users = ["ann", "bob", "cy"];
    let mut pages: Vec<(&str, mpsc::Receiver<Event>)> =
        users.iter().map(|u| (*u, notifier.subscribe(u))).collect();
    pages.push(("ann", notifier.subscribe("ann")));
    let mut expected: Vec<Vec<Event>> = vec![Vec::new(); pages.len()];
    for round in 0..10i64 {
        for (i, user) in users.iter().enumerate() {
            let event = reserved(user, round * 10 + i as i64);
            notifier.publish(event.clone()).await;
            for (p, (page_user, _)) in pages.iter().enumerate() {
                if page_user == user {
                    expected[p].push(event.clone());
                }
            }
        }
        notifier.publish(sold(round)).await;
        for e in expected.iter_mut() {
            e.push(sold(round));
        }
    }
    for (p, (user, rx)) in pages.iter_mut().enumerate() {
        let got = drain(rx);
        if got != expected[p] {
            let foreign: Vec<_> = got
                .iter()
                .filter(|e| e.user().is_some_and(|u| u != *user))
                .collect();
            let advice = if !foreign.is_empty() {
                t!("spec-07-5-foreign-events")
            } else {
                t!("spec-07-5-several-pages")
            };
            panic!(
                "{}",
                t!(
                    "spec-07-5-page-events",
                    page = p,
                    user = *user,
                    expected = expected[p].len(),
                    received = got.len(),
                    foreign = foreign.len(),
                    advice = advice
                )
            );
        }
    }
}

async fn a_page_that_stops_reading_blocks_nobody(make: MakeNotifier) {
    let notifier = make(4);
    let _stalled = notifier.subscribe("ann");
    let mut bob = notifier.subscribe("bob");
    let publishing = async {
        for t in 0..20 {
            notifier.publish(sold(t)).await;
            if let Some(e) = bob.recv().await {
                assert_eq!(e, sold(t), "{}", t!("spec-07-5-bob-in-order"));
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(10), publishing)
        .await
        .is_err()
    {
        panic!("{}", t!("spec-07-5-stalled-page"));
    }
}

async fn closed_pages_are_forgotten(make: MakeNotifier) {
    let notifier = make(8);
    let pages: Vec<_> = (0..50)
        .map(|i| notifier.subscribe(&format!("user{i}")))
        .collect();
    let mut keep = notifier.subscribe("ann");
    assert_eq!(notifier.subscribers(), 51, "{}", t!("spec-07-5-subscribed"));
    drop(pages);
    notifier.publish(sold(1)).await;
    notifier.publish(reserved("user3", 2)).await;
    assert_eq!(notifier.subscribers(), 1, "{}", t!("spec-07-5-forgotten"));
    assert_eq!(
        drain(&mut keep),
        vec![sold(1)],
        "{}",
        t!("spec-07-5-open-page")
    );
}
