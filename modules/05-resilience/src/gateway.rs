//! A fake payment gateway with switches, for 05.4's spec and the demo: its
//! latency, and whether it answers, fails (503) or hangs, change while calls
//! are in flight, as a real provider's do during an incident. It counts the
//! calls it receives and how many are inside at once: the figures that show a
//! client piling requests onto a dependency that is down.
//!
//! Module 06's checkout (06.1) pays through it too: there every fifth new
//! charge loses its reply ([`FakeGateway::lose_every`]), and a witness
//! ([`FakeGateway::set_witness`]) looks at the database at the moment of
//! each call.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the gateway behaves now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Answers after its latency.
    Up,
    /// Answers 503 after its latency.
    Failing,
    /// Never answers: the call waits until its caller gives up.
    Hanging,
}

/// Why a charge did not go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayError {
    /// 503: the gateway cannot serve now; a retry may succeed.
    Unavailable,
    /// 402: the card was declined. The gateway works; a retry fails the same way.
    Declined,
}

/// The largest amount a card accepts: above it the gateway declines.
pub const CARD_LIMIT: i64 = 1000;

/// One charge the gateway made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The order, as the caller named it: the charge's idempotency key.
    pub order: String,
    pub id: String,
    pub amount: i64,
}

/// What the gateway awaits at the start of each call, given the call's
/// order: a test's look at the world at the moment of the call. Module 06
/// reads the order there on a connection of its own, which sees it only if
/// the caller committed it: no transaction is held across the call.
pub type Witness = Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The charges, in the order they were made, and where each order's is.
#[derive(Default)]
struct Ledger {
    charges: Vec<Charge>,
    by_order: HashMap<String, usize>,
}

pub struct FakeGateway {
    mode: Mutex<Mode>,
    latency: Mutex<Duration>,
    /// The next this many calls fail (503), then the next `hang_next` hang,
    /// whatever the mode.
    fail_next: AtomicU32,
    hang_next: AtomicU32,
    calls: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Every this many new charges, one loses its reply (0: none does).
    lose_every: AtomicU32,
    /// The next this many calls that reach the ledger lose their reply.
    lose_next: AtomicU32,
    witness: Mutex<Option<Witness>>,
    /// A charge is idempotent per order, as real gateways' are per
    /// idempotency key, so a retry never charges twice.
    ledger: Mutex<Ledger>,
}

impl Default for FakeGateway {
    fn default() -> Self {
        FakeGateway::new(Duration::from_millis(50))
    }
}

impl FakeGateway {
    /// A gateway that is up and answers after `latency`.
    pub fn new(latency: Duration) -> FakeGateway {
        FakeGateway {
            mode: Mutex::new(Mode::Up),
            latency: Mutex::new(latency),
            fail_next: AtomicU32::new(0),
            hang_next: AtomicU32::new(0),
            calls: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            lose_every: AtomicU32::new(0),
            lose_next: AtomicU32::new(0),
            witness: Mutex::new(None),
            ledger: Mutex::new(Ledger::default()),
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn mode(&self) -> Mode {
        *self.mode.lock().unwrap()
    }

    pub fn set_latency(&self, latency: Duration) {
        *self.latency.lock().unwrap() = latency;
    }

    /// The next `n` calls answer 503, whatever the mode.
    pub fn fail_next(&self, n: u32) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` calls (after any `fail_next`) hang, whatever the mode.
    pub fn hang_next(&self, n: u32) {
        self.hang_next.store(n, Ordering::SeqCst);
    }

    /// Every `n`th new charge (0: none) is made, and then answered 503, as
    /// when the gateway fails behind its load balancer after its ledger
    /// committed: the money moved, the caller sees a failure. Only a retry
    /// for the same order finds out: it gets that charge, not a second.
    pub fn lose_every(&self, n: u32) {
        self.lose_every.store(n, Ordering::SeqCst);
    }

    /// The next `n` calls that reach the ledger (the gateway up, the amount
    /// within the card limit) charge, or find the order's charge, and then
    /// answer 503: a caller that retries `n` times with the same key never
    /// hears that its money moved, and must not take that for a refusal.
    pub fn lose_next(&self, n: u32) {
        self.lose_next.store(n, Ordering::SeqCst);
    }

    /// Awaits `witness` at the start of every call from now on.
    pub fn set_witness(&self, witness: Witness) {
        *self.witness.lock().unwrap() = Some(witness);
    }

    /// Calls received so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Calls inside the gateway now, and the most there ever were at once.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    /// Orders charged so far.
    pub fn charged(&self) -> usize {
        self.ledger.lock().unwrap().charges.len()
    }

    /// Every charge made so far, in order.
    pub fn charges(&self) -> Vec<Charge> {
        self.ledger.lock().unwrap().charges.clone()
    }

    /// Charges `amount` for `order`: the charge's id, the same for every
    /// charge of one order (`order` is the idempotency key). Answers after
    /// the witness, if any, and the latency (Up, Failing), or never
    /// (Hanging): the caller must time out. The call counts as in flight until
    /// it answers or its future is dropped.
    pub async fn charge(&self, order: &str, amount: i64) -> Result<String, GatewayError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let _inside = Inside::enter(self);
        let witness = self.witness.lock().unwrap().clone();
        if let Some(witness) = witness {
            witness(order.to_string()).await;
        }
        let mode = if take_one(&self.fail_next) {
            Mode::Failing
        } else if take_one(&self.hang_next) {
            Mode::Hanging
        } else {
            self.mode()
        };
        let latency = *self.latency.lock().unwrap();
        match mode {
            Mode::Hanging => std::future::pending().await,
            Mode::Failing => {
                tokio::time::sleep(latency).await;
                Err(GatewayError::Unavailable)
            }
            Mode::Up => {
                tokio::time::sleep(latency).await;
                if amount > CARD_LIMIT {
                    return Err(GatewayError::Declined);
                }
                self.charge_once(order, amount)
            }
        }
    }

    /// The order's charge: the one already made, or a new one, whose reply
    /// is lost if it is the `lose_every`th, or if `lose_next` says so.
    fn charge_once(&self, order: &str, amount: i64) -> Result<String, GatewayError> {
        let charge = self.ledger_entry(order, amount);
        if take_one(&self.lose_next) {
            return Err(GatewayError::Unavailable);
        }
        charge
    }

    fn ledger_entry(&self, order: &str, amount: i64) -> Result<String, GatewayError> {
        let mut ledger = self.ledger.lock().unwrap();
        if let Some(&i) = ledger.by_order.get(order) {
            return Ok(ledger.charges[i].id.clone());
        }
        let n = ledger.charges.len() + 1;
        let id = format!("ch_{n}");
        ledger.by_order.insert(order.to_string(), n - 1);
        ledger.charges.push(Charge {
            order: order.to_string(),
            id: id.clone(),
            amount,
        });
        let every = self.lose_every.load(Ordering::SeqCst) as usize;
        if every > 0 && n.is_multiple_of(every) {
            return Err(GatewayError::Unavailable);
        }
        Ok(id)
    }
}

/// Takes one from a counter that is above zero.
fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// A call inside the gateway, counted out when it ends or is dropped.
struct Inside<'a>(&'a FakeGateway);

impl<'a> Inside<'a> {
    fn enter(gateway: &'a FakeGateway) -> Inside<'a> {
        let now = gateway.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        gateway.max_in_flight.fetch_max(now, Ordering::SeqCst);
        Inside(gateway)
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}
