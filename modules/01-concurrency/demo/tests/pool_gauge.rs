//! `pg_pool_waiting_connections` counts the buyers waiting for a connection:
//! with the product's row locked from outside the pool, 5 more buyers than
//! the pool has connections come; as many as it has take one and wait for the
//! lock, and 5 wait for a connection.
//! The only test in its binary: the recorder is the process's.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use racecourse_01::demo::PgShop;
use racecourse_01::inventory::create_product;
use racecourse_01_demo::metered::{PoolGauge, router};
use racecourse_01_solutions::locking::LockingInventory;
use racecourse_kit::services::Scratch;
use sqlx::{Connection, PgConnection};
use std::time::Duration;
use tower::ServiceExt;

/// Buyers beyond the pool's connections.
const QUEUED: usize = 5;

async fn scrape(router: &Router) -> String {
    let request = Request::get("/metrics").body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into()
}

fn has(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

#[tokio::test]
async fn the_gauge_counts_the_buyers_waiting_for_a_connection() {
    let scratch = Scratch::create(&racecourse_01::MIGRATOR, "demo_gauge")
        .await
        .unwrap();
    let pool = scratch.pool.clone();
    let product = create_product(&pool, "ticket", 50).await.unwrap();
    let buyers = pool.options().get_max_connections() as usize + QUEUED;
    let gauge = PoolGauge::new(Some(pool.clone()));
    let shop = router(
        PgShop {
            // Longer than the test: the buyers wait for the lock, not give up.
            inventory: LockingInventory::with_lock_timeout(pool.clone(), Duration::from_secs(60)),
            pool: pool.clone(),
        },
        gauge.clone(),
    );

    // A connection of its own, so that every connection of the pool is a buyer's.
    let mut holder = PgConnection::connect_with(&pool.connect_options())
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("SELECT 1 FROM products WHERE id = $1 FOR UPDATE")
        .bind(product)
        .execute(&mut holder)
        .await
        .unwrap();

    let buys: Vec<_> = (0..buyers)
        .map(|i| {
            let request = Request::post(format!("/products/{product}/orders"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!(r#"{{"buyer":"b{i}","qty":1}}"#)))
                .unwrap();
            tokio::spawn(shop.clone().oneshot(request))
        })
        .collect();

    // The buyers settle: one on each connection, waiting for the lock, the rest for a connection.
    let waiting = format!("pg_pool_waiting_connections {QUEUED}");
    let mut text = scrape(&shop).await;
    for _ in 0..1000 {
        if has(&text, &waiting) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        text = scrape(&shop).await;
    }
    assert!(has(&text, &waiting), "no `{waiting}` in\n{text}");
    assert!(gauge.peak().unwrap() >= QUEUED);

    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    for buy in buys {
        assert_eq!(buy.await.unwrap().unwrap().status(), StatusCode::CREATED);
    }
    let text = scrape(&shop).await;
    for line in [
        "pg_pool_waiting_connections 0".to_string(),
        format!(r#"http_requests_total{{status_code="201"}} {buyers}"#),
        format!(r#"orders_created_total{{status="CONFIRMED"}} {buyers}"#),
        format!("inventory_lock_duration_seconds_count {buyers}"),
    ] {
        assert!(has(&text, &line), "no `{line}` in\n{text}");
    }
    holder.close().await.unwrap();
    scratch.remove().await;
}
