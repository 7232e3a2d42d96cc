//! The demo app of module 06: a small shop over any implementation of the
//! module's exercises (the naive code, the exercise's, the solution's), and
//! the figures that tell whether it kept its promises.
//!
//! - `POST /checkout` `{"product": 1, "buyer": "ann", "qty": 1}`: 201 with
//!   the order, 409 out of stock, 402 declined, 404 unknown product.
//! - `GET /products/{id}`: stock, reserved, sold.
//! - `POST /wallets/{id}/debits` `{"amount": 10}`: 200 with the balance, 409
//!   not enough money, 404 unknown account.
//! - `GET /wallets/{id}`: the balance and what its ledger sums to.
//! - `POST /emails` `{"recipient": "ann@example.com"}`: 202, QUEUED.
//! - `POST /orders` `{"item": "dune", "qty": 1}`: 202 with the order's id,
//!   QUEUED, published to RabbitMQ for the workers (06.5); `GET
//!   /orders/{id}`: its status. Without RabbitMQ, 503.
//!
//! Bad input (malformed JSON, unknown ids, bad paths, other methods) is
//! answered with problem+json (`racecourse_kit::problem`), never a 500.

use crate::checkout::{CheckoutError, order_of, stock_report};
use crate::queue::{Mailer, enqueue, job_states};
use crate::spec::erased::{DynCheckout, DynIntake, DynQueue, DynWallet};
use crate::wallet::{WalletError, account_report};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json as AxumJson, Router};
use racecourse_05::gateway::FakeGateway;
use racecourse_kit::problem::{Json, Path, Problem};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;

/// The shop: one implementation of each exercise, on one database.
#[derive(Clone)]
pub struct Shop {
    pub pool: PgPool,
    pub checkout: Arc<dyn DynCheckout>,
    pub wallet: Arc<dyn DynWallet>,
    /// The order API of 06.5, when RabbitMQ answered.
    pub intake: Option<Arc<dyn DynIntake>>,
}

#[derive(Deserialize)]
struct CheckoutRequest {
    product: i64,
    buyer: String,
    qty: i32,
}

#[derive(Deserialize)]
struct DebitRequest {
    amount: i64,
}

#[derive(Deserialize)]
struct OrderRequest {
    item: String,
    qty: i32,
}

#[derive(Deserialize)]
struct EmailRequest {
    recipient: String,
}

/// The shop's routes.
pub fn router(shop: Shop) -> Router {
    Router::new()
        .route("/checkout", post(checkout))
        .route("/products/{id}", get(product))
        .route("/wallets/{id}/debits", post(debit))
        .route("/wallets/{id}", get(wallet))
        .route("/emails", post(email))
        .route("/orders", post(order))
        .route("/orders/{id}", get(order_status))
        .with_state(shop)
        .fallback(racecourse_kit::problem::no_route)
        .method_not_allowed_fallback(racecourse_kit::problem::wrong_method)
}

fn db(e: sqlx::Error) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("database error: {e}"),
    )
}

async fn checkout(
    State(shop): State<Shop>,
    Json(request): Json<CheckoutRequest>,
) -> Result<Response, Problem> {
    if request.qty <= 0 || request.buyer.is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "qty must be positive and buyer not empty",
        ));
    }
    let result = shop
        .checkout
        .checkout(request.product, &request.buyer, request.qty)
        .await;
    match result {
        Ok(order) => Ok((
            StatusCode::CREATED,
            AxumJson(json!({ "order": order.id, "charge": order.charge })),
        )
            .into_response()),
        Err(CheckoutError::UnknownProduct(id)) => {
            Err(Problem::not_found(format!("no product {id}")))
        }
        Err(CheckoutError::OutOfStock) => {
            Err(Problem::new(StatusCode::CONFLICT, "not enough stock"))
        }
        Err(e @ CheckoutError::Declined(_)) => {
            Err(Problem::new(StatusCode::PAYMENT_REQUIRED, e.to_string()))
        }
        Err(e @ CheckoutError::PaymentInDoubt(..)) => {
            Err(Problem::new(StatusCode::GATEWAY_TIMEOUT, e.to_string()))
        }
        Err(CheckoutError::Db(e)) => Err(db(e)),
    }
}

async fn product(State(shop): State<Shop>, Path(id): Path<i64>) -> Result<Response, Problem> {
    match stock_report(&shop.pool, id).await {
        Ok(r) => Ok(AxumJson(json!({
            "stock": r.stock, "reserved": r.reserved, "sold": r.sold,
            "orders_reserved": r.orders_reserved, "orders_paid": r.orders_paid,
        }))
        .into_response()),
        Err(sqlx::Error::RowNotFound) => Err(Problem::not_found(format!("no product {id}"))),
        Err(e) => Err(db(e)),
    }
}

async fn debit(
    State(shop): State<Shop>,
    Path(id): Path<i64>,
    Json(request): Json<DebitRequest>,
) -> Result<Response, Problem> {
    match shop.wallet.debit(id, request.amount).await {
        Ok(balance) => Ok(AxumJson(json!({ "balance": balance })).into_response()),
        Err(e @ WalletError::InvalidAmount(_)) => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.to_string(),
        )),
        Err(e @ WalletError::UnknownAccount(_)) => Err(Problem::not_found(e.to_string())),
        Err(e @ (WalletError::Insufficient(_) | WalletError::SameAccount)) => {
            Err(Problem::new(StatusCode::CONFLICT, e.to_string()))
        }
        Err(WalletError::Db(e)) => Err(db(e)),
    }
}

async fn wallet(State(shop): State<Shop>, Path(id): Path<i64>) -> Result<Response, Problem> {
    match account_report(&shop.pool, id).await {
        Ok(r) => Ok(
            AxumJson(json!({ "balance": r.balance, "ledger_sum": r.ledger_sum })).into_response(),
        ),
        Err(sqlx::Error::RowNotFound) => Err(Problem::not_found(format!("no account {id}"))),
        Err(e) => Err(db(e)),
    }
}

async fn email(
    State(shop): State<Shop>,
    Json(request): Json<EmailRequest>,
) -> Result<Response, Problem> {
    if request.recipient.is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "recipient must not be empty",
        ));
    }
    enqueue(&shop.pool, &[request.recipient])
        .await
        .map_err(db)?;
    Ok((
        StatusCode::ACCEPTED,
        AxumJson(json!({ "status": "QUEUED" })),
    )
        .into_response())
}

fn intake(shop: &Shop) -> Result<&Arc<dyn DynIntake>, Problem> {
    shop.intake.as_ref().ok_or_else(|| {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the order API needs RabbitMQ, and none answered when the demo started",
        )
    })
}

async fn order(
    State(shop): State<Shop>,
    Json(request): Json<OrderRequest>,
) -> Result<Response, Problem> {
    if request.qty <= 0 || request.item.is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "qty must be positive and item not empty",
        ));
    }
    let accepted = intake(&shop)?
        .accept(&request.item, request.qty)
        .await
        .map_err(|e| Problem::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    let body = json!({ "order": accepted.id, "status": accepted.status });
    Ok((StatusCode::ACCEPTED, AxumJson(body)).into_response())
}

async fn order_status(State(shop): State<Shop>, Path(id): Path<i64>) -> Result<Response, Problem> {
    let status = intake(&shop)?
        .status(id)
        .await
        .map_err(|e| Problem::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    match status {
        Some(status) => Ok(AxumJson(json!({ "order": id, "status": status })).into_response()),
        None => Err(Problem::not_found(format!("no order {id}"))),
    }
}

/// The promises the shop keeps, or not: each 0 for a right implementation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Units sold beyond the stock.
    pub oversold: i64,
    /// Orders still reserved after every checkout returned.
    pub orphan_reservations: i64,
    /// Charges beyond one per paid order, and charges of orders not paid.
    pub double_charges: i64,
    /// Money taken beyond the balance: the balance below zero, or the
    /// ledger not summing to it.
    pub overdrawn: i64,
    /// Emails never delivered to a recipient that accepts them.
    pub emails_lost: i64,
    /// Deliveries beyond one per email.
    pub emails_duplicated: i64,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows = [
            ("oversold units", self.oversold),
            ("orphan reservations", self.orphan_reservations),
            ("double charges", self.double_charges),
            ("money overdrawn", self.overdrawn),
            ("emails lost", self.emails_lost),
            ("emails duplicated", self.emails_duplicated),
        ];
        for (name, n) in rows {
            let verdict = if n == 0 { "ok" } else { "BROKEN" };
            writeln!(f, "  {name:<22} {n:>6}  {verdict}")?;
        }
        Ok(())
    }
}

/// Reads the checkout's and the wallet's figures for `product` and `account`.
pub async fn shop_figures(
    pool: &PgPool,
    gateway: &FakeGateway,
    product: i64,
    account: i64,
) -> sqlx::Result<Figures> {
    let stock = stock_report(pool, product).await?;
    let charges = gateway.charges();
    let charged: Vec<i64> = charges.iter().filter_map(|c| order_of(&c.order)).collect();
    let paid_and_charged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM orders WHERE id = ANY($1) AND state = 'paid'")
            .bind(&charged)
            .fetch_one(pool)
            .await?;
    let account = account_report(pool, account).await?;
    Ok(Figures {
        oversold: (stock.sold - stock.stock).max(0),
        orphan_reservations: stock.orders_reserved,
        double_charges: charges.len() as i64 - paid_and_charged,
        overdrawn: (-account.balance).max(0) + (account.ledger_sum - account.balance).abs(),
        ..Figures::default()
    })
}

/// Queues `n` emails (every 50th bounces, every 10th fails once) and lets 4
/// workers on `queue` deliver them, with crashes; returns the lost and
/// duplicated counts, or why the workers stopped.
pub async fn deliver_emails(
    pool: &PgPool,
    queue: Arc<dyn DynQueue>,
    n: usize,
    limit: Duration,
) -> Result<(i64, i64), String> {
    let recipients: Vec<String> = (1..=n).map(crate::spec::queue::recipient).collect();
    enqueue(pool, &recipients)
        .await
        .map_err(|e| e.to_string())?;
    let mailer = Arc::new(Mailer::new(Duration::from_micros(200)));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(crate::spec::queue::work(
                queue.clone(),
                mailer.clone(),
                pool.clone(),
            ))
        })
        .collect();
    let drained = tokio::time::timeout(limit, async {
        for worker in workers {
            if let Err(e) = worker.await {
                return Err(if e.is_panic() {
                    racecourse_kit::spec::panic_message(e.into_panic())
                } else {
                    e.to_string()
                });
            }
        }
        Ok(())
    })
    .await;
    match drained {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("a worker stopped: {e}")),
        Err(_) => {
            let states = job_states(pool).await.map_err(|e| e.to_string())?;
            return Err(format!("the queue did not drain in {limit:?}: {states:?}"));
        }
    }
    let delivered = mailer.delivered();
    let lost = recipients
        .iter()
        .enumerate()
        .filter(|(i, r)| !r.starts_with("bounce") && !delivered.contains_key(&(*i as i64 + 1)))
        .count() as i64;
    let duplicated = delivered.values().map(|d| *d as i64 - 1).sum();
    Ok((lost, duplicated))
}
