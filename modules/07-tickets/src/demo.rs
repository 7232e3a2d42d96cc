//! The demo app: the whole booking flow over whichever implementations it is
//! given (naive, exercise or solution, as trait objects), with the live page.
//!
//! Routes (every bad input answers a problem+json 4xx):
//! - `GET /` the page; `GET /ws?user=` its WebSocket (07.5);
//! - `GET /concerts`, `GET /concerts/{id}`: concerts and their tickets' states;
//! - `POST /tickets/{id}/queue` (header `x-user`): 409 `ticket-unavailable`
//!   unless the ticket is AVAILABLE or IN_QUEUE, else 202 with the queue id
//!   and position (07.1); `GET /tickets/queue/{queueId}`: the position, or the
//!   outcome once a worker served it (07.2);
//! - `GET /cart`, `POST /checkout` (header `x-user`): the cart with its
//!   deadlines; 201 with the order, 409 `cart-empty`, or 410 Gone
//!   `reservation-expired` naming the tickets whose reservation lapsed (07.4).
//!
//! [`Booking::start`] runs the worker (07.2) and the sweeper (07.3) in the
//! background and publishes every change to the pages (07.5).

use crate::checkout::CheckoutError;
use crate::clock::Clock;
use crate::live::Event;
use crate::spec::erased::{DynCheckout, DynNotifier, DynReserver, DynSweeper, DynTicketQueue};
use crate::tickets::{self, Status};
use crate::worker::Outcome;
use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use racecourse_kit::problem::{Json, Path, Problem};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The page: one HTML file with its script, no build step.
pub const PAGE: &str = include_str!("page.html");

/// What a request in line came to, as `GET /tickets/queue/{id}` answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Served {
    pub ticket: i64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The background tasks of a [`Booking`]; dropping it stops them.
pub struct Running(Vec<tokio::task::AbortHandle>);

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Everything the routes and the background tasks share.
pub struct Booking {
    pub pool: PgPool,
    pub queue: Arc<dyn DynTicketQueue>,
    pub reserver: Arc<dyn DynReserver>,
    pub sweeper: Arc<dyn DynSweeper>,
    pub checkout: Arc<dyn DynCheckout>,
    pub notifier: Arc<dyn DynNotifier>,
    pub clock: Clock,
    /// How long the worker waits between two requests, so a person watching
    /// the page sees the line move (0 under load).
    pub pace: Duration,
    /// Requests in line (queue id, user), to push their new positions.
    waiting: Mutex<Vec<(String, String)>>,
    /// Requests served, by queue id.
    served: Mutex<HashMap<String, Served>>,
    /// Reservations the sweeper ended so far.
    pub expired: AtomicU64,
    /// Wakes the position pushes when a request left the line.
    line_moved: tokio::sync::Notify,
}

impl Booking {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: PgPool,
        queue: Arc<dyn DynTicketQueue>,
        reserver: Arc<dyn DynReserver>,
        sweeper: Arc<dyn DynSweeper>,
        checkout: Arc<dyn DynCheckout>,
        notifier: Arc<dyn DynNotifier>,
        clock: Clock,
        pace: Duration,
    ) -> Arc<Booking> {
        Arc::new(Booking {
            pool,
            queue,
            reserver,
            sweeper,
            checkout,
            notifier,
            clock,
            pace,
            waiting: Mutex::new(Vec::new()),
            served: Mutex::new(HashMap::new()),
            expired: AtomicU64::new(0),
            line_moved: tokio::sync::Notify::new(),
        })
    }

    /// Starts `workers` workers serving the line at once (as a deployment
    /// with several instances does), the sweeper and the position pushes;
    /// dropping the answer stops them.
    pub fn start(self: &Arc<Booking>, workers: usize) -> Running {
        let mut tasks = Vec::new();
        for _ in 0..workers.max(1) {
            let worker = self.clone();
            tasks.push(tokio::spawn(async move { worker.work().await }).abort_handle());
        }
        let sweeper = self.clone();
        tasks.push(
            tokio::spawn(async move { sweeper.sweep_every(Duration::from_millis(200)).await })
                .abort_handle(),
        );
        let positions = self.clone();
        tasks.push(tokio::spawn(async move { positions.push_positions().await }).abort_handle());
        Running(tasks)
    }

    /// Every request served so far.
    pub fn all_served(&self) -> Vec<Served> {
        self.served.lock().unwrap().values().copied().collect()
    }

    /// What happened to the request `queue_id`, once served.
    pub fn served(&self, queue_id: &str) -> Option<Served> {
        self.served.lock().unwrap().get(queue_id).copied()
    }

    /// Queues `user` for `ticket`: `Ok(None)` when the ticket is not available.
    pub async fn join(&self, ticket: i64, user: &str) -> Result<Option<crate::Joined>, String> {
        if !tickets::mark_in_queue(&self.pool, ticket)
            .await
            .map_err(|e| e.to_string())?
        {
            return Ok(None);
        }
        let joined = self
            .queue
            .join(ticket, user)
            .await
            .map_err(|e| e.to_string())?;
        self.waiting
            .lock()
            .unwrap()
            .push((joined.queue_id.clone(), user.to_string()));
        self.notifier
            .publish(Event::Ticket {
                ticket,
                status: Status::InQueue,
            })
            .await;
        self.notifier
            .publish(Event::Position {
                user: user.to_string(),
                queue_id: joined.queue_id.clone(),
                position: joined.position,
            })
            .await;
        Ok(Some(joined))
    }

    async fn work(&self) {
        loop {
            match self.serve_next().await {
                Ok(true) => tokio::time::sleep(self.pace).await,
                Ok(false) => tokio::time::sleep(Duration::from_millis(20)).await,
                Err(e) => {
                    eprintln!("worker: the queue failed: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }

    /// Serves the request at the front of the line, if any: whether there was one.
    pub async fn serve_next(&self) -> redis::RedisResult<bool> {
        let Some(entry) = self.queue.next().await? else {
            return Ok(false);
        };
        self.serve(entry).await;
        Ok(true)
    }

    async fn serve(&self, entry: crate::Entry) {
        let mut outcome = Outcome::Busy;
        for _ in 0..500 {
            match self.reserver.reserve(&entry).await {
                Ok(Outcome::Busy) => tokio::time::sleep(Duration::from_millis(5)).await,
                Ok(o) => {
                    outcome = o;
                    break;
                }
                Err(e) => {
                    eprintln!("worker: reserving ticket {} failed: {e}", entry.ticket);
                    outcome = Outcome::Lost;
                    break;
                }
            }
        }
        if outcome == Outcome::Busy {
            outcome = Outcome::Lost;
        }
        self.served.lock().unwrap().insert(
            entry.queue_id.clone(),
            Served {
                ticket: entry.ticket,
                outcome,
            },
        );
        let user = entry.user.clone();
        let event = match outcome {
            Outcome::Reserved { until_ms } => Event::Reserved {
                user,
                ticket: entry.ticket,
                until_ms,
            },
            _ => Event::Lost {
                user,
                ticket: entry.ticket,
            },
        };
        self.notifier.publish(event).await;
        if let Ok(Some(row)) = tickets::ticket(&self.pool, entry.ticket).await {
            self.notifier
                .publish(Event::Ticket {
                    ticket: row.id,
                    status: row.status,
                })
                .await;
        }
        self.waiting
            .lock()
            .unwrap()
            .retain(|(id, _)| *id != entry.queue_id);
        self.line_moved.notify_one();
    }

    /// After the line moved, tells everyone in it their new place: at most
    /// four times a second, apart from the worker, so a long line does not
    /// slow the serving down.
    async fn push_positions(&self) {
        loop {
            self.line_moved.notified().await;
            let waiting = self.waiting.lock().unwrap().clone();
            for (queue_id, user) in waiting {
                if let Ok(Some(position)) = self.queue.position(&queue_id).await {
                    self.notifier
                        .publish(Event::Position {
                            user,
                            queue_id,
                            position,
                        })
                        .await;
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn sweep_every(&self, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            match self.sweeper.sweep().await {
                Ok(freed) => {
                    self.expired
                        .fetch_add(freed.len() as u64, Ordering::Relaxed);
                    for f in freed {
                        self.notifier
                            .publish(Event::Expired {
                                user: f.user,
                                ticket: f.ticket,
                            })
                            .await;
                        self.notifier
                            .publish(Event::Ticket {
                                ticket: f.ticket,
                                status: Status::Available,
                            })
                            .await;
                    }
                }
                Err(e) => eprintln!("sweeper: {e}"),
            }
        }
    }
}

/// The demo's routes over `booking`.
pub fn router(booking: Arc<Booking>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/ws", get(ws))
        .route("/concerts", get(concerts))
        .route("/concerts/{id}", get(concert))
        .route("/tickets/{id}/queue", post(queue))
        .route("/tickets/queue/{queue_id}", get(queue_status))
        .route("/cart", get(cart))
        .route("/checkout", post(checkout))
        .fallback(racecourse_kit::problem::no_route)
        .method_not_allowed_fallback(racecourse_kit::problem::wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024))
        .with_state(booking)
}

type App = State<Arc<Booking>>;

fn db(e: sqlx::Error) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("the database failed: {e}"),
    )
}

/// The caller, from the `x-user` header: 1 to 40 letters, digits, `-` or `_`.
fn user(headers: &HeaderMap) -> Result<String, Problem> {
    let value = headers
        .get("x-user")
        .ok_or_else(|| Problem::bad_request("the x-user header names the caller; it is missing"))?;
    let name = value
        .to_str()
        .ok()
        .filter(|s| valid_user(s))
        .ok_or_else(|| {
            Problem::bad_request("x-user must be 1 to 40 letters, digits, '-' or '_'")
        })?;
    Ok(name.to_string())
}

fn valid_user(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Serialize)]
struct ConcertSummary {
    id: i64,
    name: String,
    venue: String,
    available: i64,
    total: i64,
}

async fn concerts(State(b): App) -> Result<Json<Vec<ConcertSummary>>, Problem> {
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT c.id, c.name, c.venue,
                count(t.id) FILTER (WHERE t.status IN ('AVAILABLE', 'IN_QUEUE')), count(t.id)
           FROM concerts c LEFT JOIN tickets t ON t.concert_id = c.id
          GROUP BY c.id ORDER BY c.id",
    )
    .fetch_all(&b.pool)
    .await
    .map_err(db)?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, name, venue, available, total)| ConcertSummary {
                id,
                name,
                venue,
                available,
                total,
            })
            .collect(),
    ))
}

#[derive(Serialize)]
struct ConcertPage {
    id: i64,
    name: String,
    venue: String,
    tickets: Vec<tickets::TicketRow>,
}

async fn concert(State(b): App, Path(id): Path<i64>) -> Result<Json<ConcertPage>, Problem> {
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT name, venue FROM concerts WHERE id = $1")
            .bind(id)
            .fetch_optional(&b.pool)
            .await
            .map_err(db)?;
    let (name, venue) = found.ok_or_else(|| Problem::not_found(format!("no concert {id}")))?;
    let tickets = tickets::concert_tickets(&b.pool, id).await.map_err(db)?;
    Ok(Json(ConcertPage {
        id,
        name,
        venue,
        tickets,
    }))
}

async fn queue(
    State(b): App,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let user = user(&headers)?;
    let row = tickets::ticket(&b.pool, id).await.map_err(db)?;
    let row = row.ok_or_else(|| Problem::not_found(format!("no ticket {id}")))?;
    let unavailable = || {
        Problem::typed(
            StatusCode::CONFLICT,
            "ticket-unavailable",
            "Ticket unavailable",
            format!(
                "ticket {id} is {:?}: only an AVAILABLE or IN_QUEUE ticket can be queued for",
                row.status
            ),
        )
    };
    match b.join(id, &user).await {
        Ok(Some(joined)) => Ok((StatusCode::ACCEPTED, Json(joined)).into_response()),
        Ok(None) => Err(unavailable()),
        Err(e) => Err(Problem::new(StatusCode::SERVICE_UNAVAILABLE, e)),
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum QueueStatus {
    Waiting { queue_id: String, position: u64 },
    Served(Served),
}

async fn queue_status(
    State(b): App,
    Path(queue_id): Path<String>,
) -> Result<Json<QueueStatus>, Problem> {
    if let Some(served) = b.served(&queue_id) {
        return Ok(Json(QueueStatus::Served(served)));
    }
    if queue_id.len() > 64 {
        return Err(Problem::not_found("no such queue id"));
    }
    match b.queue.position(&queue_id).await {
        Ok(Some(position)) => Ok(Json(QueueStatus::Waiting { queue_id, position })),
        Ok(None) => match b.served(&queue_id) {
            Some(served) => Ok(Json(QueueStatus::Served(served))),
            None => Err(Problem::not_found(format!("no queue id {queue_id}"))),
        },
        Err(e) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("redis failed: {e}"),
        )),
    }
}

#[derive(Serialize)]
struct CartPage {
    now_ms: i64,
    items: Vec<tickets::CartItem>,
}

async fn cart(State(b): App, headers: HeaderMap) -> Result<Json<CartPage>, Problem> {
    let user = user(&headers)?;
    let items = tickets::cart(&b.pool, &user).await.map_err(db)?;
    Ok(Json(CartPage {
        now_ms: b.clock.now_ms(),
        items,
    }))
}

async fn checkout(State(b): App, headers: HeaderMap) -> Result<Response, Problem> {
    let user = user(&headers)?;
    match b.checkout.checkout(&user).await {
        Ok(order) => {
            for ticket in &order.tickets {
                b.notifier
                    .publish(Event::Ticket {
                        ticket: *ticket,
                        status: Status::Sold,
                    })
                    .await;
            }
            Ok((StatusCode::CREATED, Json(order)).into_response())
        }
        Err(CheckoutError::EmptyCart) => Err(Problem::typed(
            StatusCode::CONFLICT,
            "cart-empty",
            "Cart is empty",
            "there is nothing in the cart to check out",
        )),
        Err(CheckoutError::Expired(ids)) => Err(Problem::typed(
            StatusCode::GONE,
            "reservation-expired",
            "Reservation expired",
            format!(
                "the reservations of tickets {ids:?} have expired: nothing was sold; queue again"
            ),
        )),
        Err(CheckoutError::Db(e)) => Err(db(e)),
    }
}

#[derive(Deserialize)]
struct WsQuery {
    user: Option<String>,
}

async fn ws(
    State(b): App,
    Query(q): Query<WsQuery>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, Problem> {
    let user = q.user.filter(|u| valid_user(u)).ok_or_else(|| {
        Problem::bad_request("?user= must be 1 to 40 letters, digits, '-' or '_'")
    })?;
    let upgrade =
        upgrade.map_err(|e| Problem::bad_request(format!("not a WebSocket upgrade: {e}")))?;
    Ok(upgrade.on_upgrade(move |socket| live(socket, b, user)))
}

/// Forwards the user's events to the page until either side closes.
async fn live(mut socket: WebSocket, b: Arc<Booking>, user: String) {
    let mut events = b.notifier.subscribe(&user);
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { break };
                let Ok(text) = serde_json::to_string(&event) else { continue };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
}
