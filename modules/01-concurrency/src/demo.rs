//! The module's demo app: a shop with one endpoint to buy and one to look, run
//! by `cargo xtask demo 01` on the naive, the exercise's or the solution's code,
//! in memory or on PostgreSQL, so a class can watch units being oversold and
//! then watch the fix hold.

use crate::inventory::{Inventory, ReserveError, StockReport, stock_report};
use crate::think;
use crate::versioned::{VersionedStore, Write};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use racecourse_kit::problem::{Json, Path, Problem, no_route, panic_as_problem, wrong_method};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tower_http::catch_panic::CatchPanicLayer;

/// Where the demo keeps its stock.
pub trait Shop: Send + Sync + 'static {
    fn reserve(
        &self,
        product: i64,
        qty: i32,
        buyer: &str,
    ) -> impl Future<Output = Result<i64, ReserveError>> + Send;
    fn report(
        &self,
        product: i64,
    ) -> impl Future<Output = Result<Option<StockReport>, ReserveError>> + Send;
}

/// The shop on PostgreSQL, reserving through an [`Inventory`] (01.4's, or the naive one).
pub struct PgShop<I> {
    pub inventory: I,
    pub pool: PgPool,
}

impl<I: Inventory> Shop for PgShop<I> {
    fn reserve(
        &self,
        product: i64,
        qty: i32,
        buyer: &str,
    ) -> impl Future<Output = Result<i64, ReserveError>> + Send {
        self.inventory.reserve(product, qty, buyer)
    }

    async fn report(&self, product: i64) -> Result<Option<StockReport>, ReserveError> {
        Ok(stock_report(&self.pool, product).await?)
    }
}

/// How often the in-memory shop retries a reservation that lost a race. The
/// demo's 100 simultaneous buyers conflict a lot; the bound only guards against
/// a store that always conflicts.
const MEM_ATTEMPTS: u32 = 1000;

/// The shop in memory: each product's reserved count is a value in a
/// [`VersionedStore`] (01.2's, or the naive blind-write one), read, checked and
/// committed with the version read.
pub struct MemShop<S> {
    store: S,
    stock: HashMap<i64, i32>,
    /// Per product: orders and units ordered.
    orders: Mutex<HashMap<i64, (i64, i64)>>,
}

impl<S: VersionedStore> MemShop<S> {
    /// A shop selling `products`, given as (id, units in stock).
    pub fn new(products: &[(i64, i32)]) -> Self {
        let keys: Vec<(String, i64)> = products.iter().map(|(id, _)| (key(*id), 0)).collect();
        let accounts: Vec<(&str, i64)> = keys.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        MemShop {
            store: S::new(&accounts),
            stock: products.iter().copied().collect(),
            orders: Mutex::new(HashMap::new()),
        }
    }
}

fn key(product: i64) -> String {
    format!("reserved:{product}")
}

impl<S: VersionedStore> Shop for MemShop<S> {
    async fn reserve(&self, product: i64, qty: i32, _buyer: &str) -> Result<i64, ReserveError> {
        if qty <= 0 {
            return Err(ReserveError::InvalidQuantity(qty));
        }
        let stock = *self
            .stock
            .get(&product)
            .ok_or(ReserveError::UnknownProduct(product))?;
        for _ in 0..MEM_ATTEMPTS {
            let reserved = self
                .store
                .get(&key(product))
                .ok_or(ReserveError::UnknownProduct(product))?;
            let available = stock - reserved.value as i32;
            if available < qty {
                return Err(ReserveError::OutOfStock { available });
            }
            think().await;
            let write = Write {
                key: key(product),
                expected_version: reserved.version,
                value: reserved.value + i64::from(qty),
            };
            if self.store.commit(&[write]).is_ok() {
                let mut orders = self.orders.lock().unwrap();
                let entry = orders.entry(product).or_default();
                *entry = (entry.0 + 1, entry.1 + i64::from(qty));
                return Ok(entry.0);
            }
        }
        Err(ReserveError::Busy)
    }

    async fn report(&self, product: i64) -> Result<Option<StockReport>, ReserveError> {
        let Some(stock) = self.stock.get(&product) else {
            return Ok(None);
        };
        let reserved = self.store.get(&key(product)).map_or(0, |v| v.value as i32);
        let (orders, units_ordered) = self
            .orders
            .lock()
            .unwrap()
            .get(&product)
            .copied()
            .unwrap_or_default();
        Ok(Some(StockReport {
            stock: *stock,
            reserved,
            orders,
            units_ordered,
        }))
    }
}

impl From<ReserveError> for Problem {
    fn from(error: ReserveError) -> Problem {
        let text = error.to_string();
        match error {
            ReserveError::InvalidQuantity(_) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, text)
            }
            ReserveError::UnknownProduct(_) => Problem::not_found(text),
            ReserveError::OutOfStock { .. } => {
                Problem::typed(StatusCode::CONFLICT, "out-of-stock", "Out of stock", text)
            }
            ReserveError::Busy => Problem::new(StatusCode::SERVICE_UNAVAILABLE, text),
            ReserveError::Db(_) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, text),
        }
    }
}

/// The body of `POST /products/{id}/orders`.
#[derive(Debug, Deserialize, Serialize)]
pub struct OrderRequest {
    pub buyer: String,
    pub qty: i32,
}

/// The body of a created order.
#[derive(Debug, Deserialize, Serialize)]
pub struct OrderCreated {
    pub order_id: i64,
}

/// The body of `GET /products/{id}`.
#[derive(Debug, Deserialize, Serialize)]
pub struct ProductView {
    pub id: i64,
    #[serde(flatten)]
    pub report: StockReport,
    pub oversold: i64,
}

/// The demo's routes over any shop.
pub fn app<S: Shop>(shop: S) -> Router {
    Router::new()
        .route("/products/{id}", get(product::<S>))
        .route("/products/{id}/orders", post(order::<S>))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(CatchPanicLayer::custom(panic_as_problem))
        .with_state(Arc::new(shop))
}

async fn product<S: Shop>(
    State(shop): State<Arc<S>>,
    Path(id): Path<i64>,
) -> Result<Json<ProductView>, Problem> {
    let report = shop
        .report(id)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no product {id}")))?;
    Ok(Json(ProductView {
        id,
        report,
        oversold: report.oversold(),
    }))
}

async fn order<S: Shop>(
    State(shop): State<Arc<S>>,
    Path(id): Path<i64>,
    Json(request): Json<OrderRequest>,
) -> Result<Response, Problem> {
    match shop.reserve(id, request.qty, &request.buyer).await {
        Ok(order_id) => Ok((StatusCode::CREATED, Json(OrderCreated { order_id })).into_response()),
        Err(ReserveError::Busy) => {
            let mut response = Problem::from(ReserveError::Busy).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}
