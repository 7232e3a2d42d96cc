//! A small load generator for the demos: fires many requests at once at a server
//! on this machine, one connection each, and reports statuses and latencies.
//!
//! It opens a fresh connection per request on purpose: the point of a demo is
//! that every request is in flight at the same time, as when many users press
//! "Buy" at once, not that a pool politely queues them.

use http_body_util::BodyExt;
use hyper::Method;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::Barrier;

/// One request of a load.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub json: Option<String>,
}

impl Call {
    pub fn post_json(path: impl Into<String>, json: impl Into<String>) -> Call {
        Call {
            method: Method::POST,
            path: path.into(),
            json: Some(json.into()),
        }
    }

    pub fn get(path: impl Into<String>) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            json: None,
        }
    }
}

/// An answer: status and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// Sends one request on a connection of its own.
pub async fn send(addr: SocketAddr, call: &Call) -> Result<Answer, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let mut request = hyper::Request::builder()
        .method(call.method.clone())
        .uri(&call.path)
        .header(hyper::header::HOST, addr.to_string());
    if call.json.is_some() {
        request = request.header(hyper::header::CONTENT_TYPE, "application/json");
    }
    let request = request
        .body(call.json.clone().unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Answer {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// What a load did: how many answers of each status, and how long they took.
#[derive(Debug, Default)]
pub struct Report {
    pub statuses: BTreeMap<u16, usize>,
    /// Requests that got no answer at all (connection refused, reset, ...).
    pub errors: Vec<String>,
    latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl Report {
    pub fn count(&self, status: u16) -> usize {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// The latency below which `p` percent of the answers came, nearest rank.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let statuses = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{n} x {s}"))
            .collect::<Vec<_>>()
            .join(", ");
        write!(
            f,
            "{} requests in {:.0?}: {statuses}; latency p50 {:.1?}, p99 {:.1?}",
            self.latencies.len() + self.errors.len(),
            self.elapsed,
            self.percentile(50.0),
            self.percentile(99.0),
        )?;
        if !self.errors.is_empty() {
            write!(
                f,
                "; {} without an answer (first: {})",
                self.errors.len(),
                self.errors[0]
            )?;
        }
        Ok(())
    }
}

/// Fires every call at once (they wait at a barrier, then go together) and
/// returns the report.
pub async fn fire(addr: SocketAddr, calls: Vec<Call>) -> Report {
    let barrier = Arc::new(Barrier::new(calls.len()));
    let started = Instant::now();
    let tasks: Vec<_> = calls
        .into_iter()
        .map(|call| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let t0 = Instant::now();
                let answer = send(addr, &call).await;
                (answer, t0.elapsed())
            })
        })
        .collect();
    let mut report = Report::default();
    for task in tasks {
        match task.await {
            Ok((Ok(answer), took)) => {
                *report.statuses.entry(answer.status).or_default() += 1;
                report.latencies.push(took);
            }
            Ok((Err(e), _)) => report.errors.push(e),
            Err(e) => report.errors.push(e.to_string()),
        }
    }
    report.latencies.sort();
    report.elapsed = started.elapsed();
    report
}
