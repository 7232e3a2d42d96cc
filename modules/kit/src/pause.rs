//! A client that a spec can pause between two of its commands.
//!
//! Redis runs each command atomically, but nothing runs between a client's
//! commands on its behalf: a GET and the DEL that follows it, an INCR and the
//! SET after it, are two steps another client can come between. Whether it
//! does is a matter of timing, and a spec that waits for luck catches such a
//! race only sometimes. So the spec puts this proxy between one client and
//! Redis: [`Pausable::hold_after_next`] lets the client's next command through
//! and holds every later one, the spec does what the other client does in the
//! gap, and [`Pausable::resume`] lets the first client finish. A GC pause or a
//! slow network does the same in production; here it happens on every run.
//!
//! A script (`EVAL`, `EVALSHA`) or a `MULTI`/`EXEC` block is one command to
//! Redis: a right implementation has no gap to pause in, so it passes.

use redis::aio::ConnectionManager;
use redis::{ConnectionAddr, IntoConnectionInfo};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Where the proxied client is in the pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Every command goes through.
    Open,
    /// The next command goes through, and the gate closes behind it.
    Armed,
    /// Commands wait; `replied` once the command let through has its answer.
    Holding { replied: bool },
}

/// A connection to Redis through a proxy the spec controls.
pub struct Pausable {
    /// The client's connection, to hand to the implementation under test.
    pub conn: ConnectionManager,
    phase: Arc<watch::Sender<Phase>>,
}

impl Pausable {
    /// Opens a connection to the Redis at `url` through a new proxy on a free
    /// local port. The proxy lives as long as the runtime it was made on.
    pub async fn connect(url: &str) -> redis::RedisResult<Pausable> {
        let info = url.into_connection_info()?;
        let upstream = match info.addr() {
            ConnectionAddr::Tcp(host, port) => format!("{host}:{port}"),
            other => {
                return Err(redis::RedisError::from((
                    redis::ErrorKind::InvalidClientConfig,
                    "the pausing proxy speaks plain TCP only",
                    format!("{other:?}"),
                )));
            }
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let phase = Arc::new(watch::Sender::new(Phase::Open));
        tokio::spawn(serve(listener, upstream, phase.clone()));
        let proxied = info.set_addr(ConnectionAddr::Tcp("127.0.0.1".into(), port));
        let client = redis::Client::open(proxied)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(3)))
            .set_number_of_retries(0);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Pausable { conn, phase })
    }

    /// Lets the client's next command through and holds every one after it.
    pub fn hold_after_next(&self) {
        self.phase.send_replace(Phase::Armed);
    }

    /// Resolves once the command let through has been answered, so the client
    /// now waits between that command and its next one.
    pub async fn paused(&self) {
        let mut rx = self.phase.subscribe();
        let _ = rx
            .wait_for(|p| *p == Phase::Holding { replied: true })
            .await;
    }

    /// Lets the held commands through, and every later one.
    pub fn resume(&self) {
        self.phase.send_replace(Phase::Open);
    }
}

async fn serve(listener: TcpListener, upstream: String, phase: Arc<watch::Sender<Phase>>) {
    while let Ok((client, _)) = listener.accept().await {
        let Ok(server) = TcpStream::connect(&upstream).await else {
            continue;
        };
        let (client_rx, client_tx) = client.into_split();
        let (server_rx, server_tx) = server.into_split();
        tokio::spawn(commands(client_rx, server_tx, phase.clone()));
        tokio::spawn(replies(server_rx, client_tx, phase.clone()));
    }
}

/// Client to server, a whole command at a time, through the gate.
async fn commands(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    phase: Arc<watch::Sender<Phase>>,
) {
    let mut pending = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        while let Some(len) = command_len(&pending) {
            let mut rx = phase.subscribe();
            if rx
                .wait_for(|p| !matches!(p, Phase::Holding { .. }))
                .await
                .is_err()
            {
                return;
            }
            phase.send_if_modified(|p| {
                let armed = *p == Phase::Armed;
                if armed {
                    *p = Phase::Holding { replied: false };
                }
                armed
            });
            if to.write_all(&pending[..len]).await.is_err() {
                return;
            }
            pending.drain(..len);
        }
        match from.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Server to client, as it comes; the first answer after the gate closed
/// marks the client as paused.
async fn replies(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    phase: Arc<watch::Sender<Phase>>,
) {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match from.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if to.write_all(&chunk[..n]).await.is_err() {
                    return;
                }
                phase.send_if_modified(|p| {
                    let first = *p == Phase::Holding { replied: false };
                    if first {
                        *p = Phase::Holding { replied: true };
                    }
                    first
                });
            }
        }
    }
}

/// The length in bytes of the first whole command in `buf` (a RESP array of
/// bulk strings, as every client library sends), or `None` if it is not all
/// there yet.
fn command_len(buf: &[u8]) -> Option<usize> {
    fn line(buf: &[u8], at: usize) -> Option<(usize, usize)> {
        let end = buf.get(at..)?.windows(2).position(|w| w == b"\r\n")? + at;
        let n = std::str::from_utf8(buf.get(at + 1..end)?)
            .ok()?
            .parse()
            .ok()?;
        Some((n, end + 2))
    }
    if buf.first() != Some(&b'*') {
        // An inline command: one line.
        return buf.windows(2).position(|w| w == b"\r\n").map(|p| p + 2);
    }
    let (items, mut at) = line(buf, 0)?;
    for _ in 0..items {
        let (len, data) = line(buf, at)?;
        at = data + len + 2;
        if buf.len() < at {
            return None;
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::command_len;

    #[test]
    fn finds_whole_commands_only() {
        let get = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        assert_eq!(command_len(get), Some(get.len()));
        let mut two = get.to_vec();
        two.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        assert_eq!(command_len(&two), Some(get.len()));
        for cut in 1..get.len() {
            assert_eq!(command_len(&get[..cut]), None, "cut at {cut}");
        }
        assert_eq!(command_len(b"PING\r\n"), Some(6));
    }
}
