//! Finding PostgreSQL and Redis, and giving each test a clean slice of them.
//!
//! The order is the course's rule (COURSE.md, "Services"):
//! 1. `DATABASE_URL` / `REDIS_URL` when set (and only that: a URL you set and
//!    that does not answer is an error, not a reason to look elsewhere);
//! 2. a server on the default local port;
//! 3. a throwaway container through testcontainers, when a Docker engine answers;
//! 4. otherwise an error that says how to get one, within a few seconds.
//!
//! Every connection has a timeout, so a missing service never hangs a test.
//! Each test gets its own database ([`with_pg`]) or key prefix ([`with_redis`]),
//! removed afterwards whether the test passed or not.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;
use testcontainers_modules::testcontainers::runners::AsyncRunner;

/// How long a probe of one candidate may take. Two candidates at most are probed
/// before the error, so a test fails within 10 seconds when nothing answers.
const PROBE_TIMEOUT: Duration = Duration::from_secs(4);

/// Which service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    Redis,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Postgres => "PostgreSQL",
            Kind::Redis => "Redis",
        }
    }

    pub fn env_var(self) -> &'static str {
        match self {
            Kind::Postgres => "DATABASE_URL",
            Kind::Redis => "REDIS_URL",
        }
    }

    fn local_url(self) -> &'static str {
        match self {
            Kind::Postgres => "postgres://postgres@127.0.0.1:5432/postgres",
            Kind::Redis => "redis://127.0.0.1:6379",
        }
    }

    async fn probe(self, url: &str) -> Result<(), String> {
        let attempt = async {
            match self {
                Kind::Postgres => {
                    let options = PgConnectOptions::from_str(url).map_err(|e| e.to_string())?;
                    let conn = options.connect().await.map_err(|e| e.to_string())?;
                    conn.close().await.map_err(|e| e.to_string())
                }
                Kind::Redis => {
                    let mut conn = redis_connect(url).await.map_err(|e| e.to_string())?;
                    redis::cmd("PING")
                        .query_async::<String>(&mut conn)
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string())
                }
            }
        };
        tokio::time::timeout(PROBE_TIMEOUT, attempt)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {PROBE_TIMEOUT:?}")))
    }
}

/// Where a service was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Env,
    LocalPort,
    Container,
}

/// A service that answers.
pub struct Found {
    pub kind: Kind,
    pub url: String,
    pub source: Source,
    /// Keeps a testcontainers container alive; it is removed when this is dropped.
    _container: Option<Box<dyn Any + Send + Sync>>,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.source {
            Source::Env => format!("from {}", self.kind.env_var()),
            Source::LocalPort => "on the default local port".into(),
            Source::Container => "in a testcontainers container".into(),
        };
        write!(f, "{} at {} ({how})", self.kind.name(), redact(&self.url))
    }
}

/// No service answered. The message says what was tried and the ways to get one.
#[derive(Debug)]
pub struct NotFound {
    pub kind: Kind,
    pub tried: Vec<String>,
}

impl std::error::Error for NotFound {}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, var) = (self.kind.name(), self.kind.env_var());
        writeln!(f, "{name} is needed here and none answered.")?;
        for t in &self.tried {
            writeln!(f, "  tried {t}")?;
        }
        writeln!(f, "Get one in any of these ways:")?;
        match self.kind {
            Kind::Postgres => {
                writeln!(
                    f,
                    "  1. set {var}=postgres://USER:PASSWORD@HOST:5432/postgres (a user that may CREATE DATABASE)"
                )?;
                writeln!(
                    f,
                    "  2. run PostgreSQL on 127.0.0.1:5432 with user postgres and trust auth, e.g.\n     docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16"
                )?;
            }
            Kind::Redis => {
                writeln!(f, "  1. set {var}=redis://HOST:6379")?;
                writeln!(
                    f,
                    "  2. run Redis on 127.0.0.1:6379, e.g. `redis-server --daemonize yes` or\n     docker run -d -p 6379:6379 redis:7"
                )?;
            }
        }
        writeln!(
            f,
            "  3. start a Docker engine: the tests then run a throwaway container (testcontainers)"
        )?;
        write!(f, "`cargo xtask services` shows what is found.")
    }
}

/// What to do when neither the variable nor the local port answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Start a container when a Docker engine answers.
    StartContainer,
    /// Only report whether one could be started (for `cargo xtask services`).
    DryRun,
}

/// Finds a service in the course's order.
pub async fn find(kind: Kind, fallback: Fallback) -> Result<Found, NotFound> {
    let found = |url: String, source| Found {
        kind,
        url,
        source,
        _container: None,
    };
    let mut tried = Vec::new();
    if let Ok(url) = std::env::var(kind.env_var()) {
        return match kind.probe(&url).await {
            Ok(()) => Ok(found(url, Source::Env)),
            Err(e) => Err(NotFound {
                kind,
                tried: vec![format!("{}={}: {e}", kind.env_var(), redact(&url))],
            }),
        };
    }
    tried.push(format!("{} (not set)", kind.env_var()));
    match kind.probe(kind.local_url()).await {
        Ok(()) => return Ok(found(kind.local_url().into(), Source::LocalPort)),
        Err(e) => tried.push(format!("{}: {e}", kind.local_url())),
    }
    if !docker_answers() {
        tried.push("Docker: no engine (no DOCKER_HOST, no /var/run/docker.sock)".into());
        return Err(NotFound { kind, tried });
    }
    if fallback == Fallback::DryRun {
        tried.push("Docker answers: a test would start a container".into());
        return Err(NotFound { kind, tried });
    }
    match start_container(kind).await {
        Ok(found) => Ok(found),
        Err(e) => {
            tried.push(format!("testcontainers: {e}"));
            Err(NotFound { kind, tried })
        }
    }
}

fn docker_answers() -> bool {
    std::env::var_os("DOCKER_HOST").is_some() || std::path::Path::new("/var/run/docker.sock").exists()
}

async fn start_container(kind: Kind) -> Result<Found, String> {
    use testcontainers_modules::{postgres::Postgres, redis::Redis};
    let (url, container): (String, Box<dyn Any + Send + Sync>) = match kind {
        Kind::Postgres => {
            let c = Postgres::default().start().await.map_err(|e| e.to_string())?;
            let host = c.get_host().await.map_err(|e| e.to_string())?;
            let port = c.get_host_port_ipv4(5432).await.map_err(|e| e.to_string())?;
            (format!("postgres://postgres:postgres@{host}:{port}/postgres"), Box::new(c))
        }
        Kind::Redis => {
            let c = Redis::default().start().await.map_err(|e| e.to_string())?;
            let host = c.get_host().await.map_err(|e| e.to_string())?;
            let port = c.get_host_port_ipv4(6379).await.map_err(|e| e.to_string())?;
            (format!("redis://{host}:{port}"), Box::new(c))
        }
    };
    kind.probe(&url).await?;
    Ok(Found {
        kind,
        url,
        source: Source::Container,
        _container: Some(container),
    })
}

/// A URL with its password hidden, for printing.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A Redis connection with timeouts on connecting and on every response, and
/// reconnection after a dropped connection.
pub async fn redis_connect(url: &str) -> redis::RedisResult<ConnectionManager> {
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(3)))
        .set_response_timeout(Some(Duration::from_secs(5)))
        .set_number_of_retries(1);
    ConnectionManager::new_with_config(client, config).await
}

/// A database of its own, with a module's migrations applied, dropped by
/// [`Scratch::remove`].
pub struct Scratch {
    pub pool: PgPool,
    pub name: String,
    admin: PgConnectOptions,
    _server: Found,
}

impl Scratch {
    /// Creates database `rc_<label>_<random>` on the server found, and migrates it.
    pub async fn create(migrator: &Migrator, label: &str) -> Result<Scratch, String> {
        let server = find(Kind::Postgres, Fallback::StartContainer)
            .await
            .map_err(|e| e.to_string())?;
        let admin = PgConnectOptions::from_str(&server.url).map_err(|e| e.to_string())?;
        let name = format!("rc_{label}_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        admin_exec(&admin, &format!(r#"CREATE DATABASE "{name}""#)).await?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(admin.clone().database(&name))
            .await
            .map_err(|e| format!("cannot connect to the new database {name}: {e}"))?;
        let scratch = Scratch {
            pool,
            name,
            admin,
            _server: server,
        };
        if let Err(e) = migrator.run(&scratch.pool).await {
            scratch.remove().await;
            return Err(format!("migrations failed: {e}"));
        }
        Ok(scratch)
    }

    /// Closes the pool and drops the database, even with connections left open.
    pub async fn remove(self) {
        self.pool.close().await;
        let drop = format!(r#"DROP DATABASE IF EXISTS "{}" WITH (FORCE)"#, self.name);
        if let Err(e) = admin_exec(&self.admin, &drop).await {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}

async fn admin_exec(admin: &PgConnectOptions, sql: &str) -> Result<(), String> {
    let work = async {
        let mut conn = admin.connect().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut conn).await?;
        conn.close().await
    };
    match tokio::time::timeout(Duration::from_secs(30), work).await {
        Ok(result) => result.map_err(|e| format!("`{sql}` failed: {e}")),
        Err(_) => Err(format!("`{sql}` did not finish within 30 s")),
    }
}

/// Runs `body` with a pool on a fresh database migrated by `migrator`, then drops
/// the database, whether `body` passed or panicked.
pub async fn with_pg<F, Fut>(migrator: &'static Migrator, body: F)
where
    F: FnOnce(PgPool) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let scratch = Scratch::create(migrator, "test")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome = tokio::spawn(body(scratch.pool.clone())).await;
    scratch.remove().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A Redis connection and a key prefix that no other test uses.
#[derive(Clone)]
pub struct RedisSlot {
    pub conn: ConnectionManager,
    /// Prepend to every key: `rc:3f9a1c2b:`.
    pub prefix: String,
}

/// Runs `body` with a Redis connection and a fresh key prefix, then deletes every
/// key under the prefix, whether `body` passed or panicked.
pub async fn with_redis<F, Fut>(body: F)
where
    F: FnOnce(RedisSlot) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let server = find(Kind::Redis, Fallback::StartContainer)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let conn = redis_connect(&server.url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {server}: {e}"));
    let slot = RedisSlot {
        conn,
        prefix: format!("rc:{}:", &uuid::Uuid::new_v4().simple().to_string()[..8]),
    };
    let outcome = tokio::spawn(body(slot.clone())).await;
    if let Err(e) = delete_prefix(&slot).await {
        eprintln!("warning: could not delete keys under {}: {e}", slot.prefix);
    }
    drop(server);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn delete_prefix(slot: &RedisSlot) -> redis::RedisResult<()> {
    let mut conn = slot.conn.clone();
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{}*", slot.prefix))
            .arg("COUNT")
            .arg(500)
            .query_async(&mut conn)
            .await?;
        if !keys.is_empty() {
            redis::cmd("DEL").arg(&keys).query_async::<()>(&mut conn).await?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}
