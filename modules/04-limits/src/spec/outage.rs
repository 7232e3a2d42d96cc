//! A Redis the spec can take down: a proxy in front of the real server that,
//! once [`Outage::cut`], closes every connection and refuses new ones, as a
//! crashed or partitioned Redis does. Redis itself stays up for the other
//! tests running at the same time.

use racecourse_kit::i18n::t;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ConnectionAddr, IntoConnectionInfo, RedisResult};
use std::sync::Mutex;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// A proxy to Redis that can be cut.
pub struct Outage {
    /// A connection through the proxy, to hand to the implementation.
    pub conn: ConnectionManager,
    cut: watch::Sender<bool>,
    /// The proxy's task, which ends once every connection it carried is closed.
    proxy: Mutex<Option<JoinHandle<()>>>,
}

/// How long a command through the proxy may take: past it, Redis is down.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);

impl Outage {
    /// A proxy on a free local port in front of the Redis at `url`, and a
    /// connection through it that gives up on a command after a second and
    /// does not retry.
    pub async fn start(url: &str) -> RedisResult<Outage> {
        let info = url.into_connection_info()?;
        let upstream = match info.addr() {
            ConnectionAddr::Tcp(host, port) => format!("{host}:{port}"),
            other => panic!(
                "{}",
                t!("spec-04-3-plain-tcp", address = format!("{other:?}"))
            ),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (cut, cut_rx) = watch::channel(false);
        let proxy = tokio::spawn(serve(listener, upstream, cut_rx));
        let client =
            redis::Client::open(info.set_addr(ConnectionAddr::Tcp("127.0.0.1".into(), port)))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(0);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Outage {
            conn,
            cut,
            proxy: Mutex::new(Some(proxy)),
        })
    }

    /// Takes Redis down for this proxy's clients: every connection closes and
    /// new ones are refused. Returns once they are closed, so that no command
    /// sent after it reaches Redis through a connection the proxy had not yet
    /// seen cut (on a busy machine that once let a check through).
    pub async fn cut(&self) {
        self.cut.send_replace(true);
        let proxy = self.proxy.lock().unwrap().take();
        if let Some(proxy) = proxy {
            let _ = proxy.await;
        }
    }
}

/// Carries each connection to `upstream` until cut, then waits for every
/// connection's task to close it.
async fn serve(listener: TcpListener, upstream: String, mut cut: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        let mut for_conn = cut.clone();
        tokio::select! {
            _ = until_cut(&mut cut) => break,
            accepted = listener.accept() => {
                let Ok((mut client, _)) = accepted else { break };
                let Ok(mut server) = TcpStream::connect(&upstream).await else { continue };
                connections.spawn(async move {
                    tokio::select! {
                        _ = until_cut(&mut for_conn) => {}
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    }
                });
            }
        }
    }
    while connections.join_next().await.is_some() {}
}

/// Resolves once the proxy is cut (or dropped).
async fn until_cut(cut: &mut watch::Receiver<bool>) {
    loop {
        if *cut.borrow_and_update() {
            return;
        }
        if cut.changed().await.is_err() {
            return;
        }
    }
}
