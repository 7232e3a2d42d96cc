//! Finding PostgreSQL, Redis and RabbitMQ, and giving each test a clean slice
//! of the first two (module 06, which talks to RabbitMQ, names its queues per test).
//!
//! The order is the course's rule (COURSE.md, "Services"):
//! 1. `DATABASE_URL` / `REDIS_URL` when set (and only that: a URL you set and
//!    that does not answer is an error, not a reason to look elsewhere);
//! 2. a server on the default local port;
//! 3. a throwaway container through testcontainers, when a Docker engine answers:
//!    `cargo xtask` starts it (xtask/tools/src/containers.rs) and hands its URL to the
//!    tests in the variable of step 1;
//! 4. otherwise an error that says how to get one, within a few seconds.
//!
//! Why the runner and not each test binary starts containers: one container
//! serves a whole run instead of one per test, it is removed when the run ends,
//! and the test binaries stay small (testcontainers and its Docker client nearly
//! double a test binary, and linking it is most of a student's edit-to-test wait).
//!
//! Every connection has a timeout, so a missing service never hangs a test.
//! Each test gets its own database ([`with_pg`]) or key prefix ([`with_redis`]),
//! removed afterwards whether the test passed or not.

use racecourse_i18n::t;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long a probe of one candidate may take. Two candidates at most are probed
/// before the error, so a test fails within 10 seconds when nothing answers.
const PROBE_TIMEOUT: Duration = Duration::from_secs(4);

/// Which service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    Redis,
    RabbitMq,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Postgres => "PostgreSQL",
            Kind::Redis => "Redis",
            Kind::RabbitMq => "RabbitMQ",
        }
    }

    pub fn env_var(self) -> &'static str {
        match self {
            Kind::Postgres => "DATABASE_URL",
            Kind::Redis => "REDIS_URL",
            Kind::RabbitMq => "AMQP_URL",
        }
    }

    /// The kind a manifest's `services` entry names ("postgres", "redis", "rabbitmq").
    pub fn from_service(name: &str) -> Option<Kind> {
        match name {
            "postgres" => Some(Kind::Postgres),
            "redis" => Some(Kind::Redis),
            "rabbitmq" => Some(Kind::RabbitMq),
            _ => None,
        }
    }

    fn local_url(self) -> &'static str {
        match self {
            Kind::Postgres => "postgres://postgres@127.0.0.1:5432/postgres",
            Kind::Redis => "redis://127.0.0.1:6379",
            Kind::RabbitMq => "amqp://guest:guest@127.0.0.1:5672/%2f",
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
                Kind::RabbitMq => amqp_handshake(url).await,
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
}

/// A service that answers.
#[derive(Debug)]
pub struct Found {
    pub kind: Kind,
    pub url: String,
    pub source: Source,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, url) = (self.kind.name(), redact(&self.url));
        let line = match self.source {
            Source::Env => t!(
                "service-found-env",
                name = name,
                url = url,
                var = self.kind.env_var()
            ),
            Source::LocalPort => t!("service-found-local", name = name, url = url),
        };
        f.write_str(&line)
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
        writeln!(f, "{}", t!("service-missing", name = name))?;
        for tried in &self.tried {
            writeln!(f, "  {}", t!("service-tried", what = tried))?;
        }
        writeln!(f, "{}", t!("service-ways"))?;
        let (set, run) = match self.kind {
            Kind::Postgres => (
                t!("service-set-postgres", var = var),
                t!("service-run-postgres"),
            ),
            Kind::RabbitMq => (
                t!("service-set-rabbitmq", var = var),
                t!("service-run-rabbitmq"),
            ),
            Kind::Redis => (t!("service-set-redis", var = var), t!("service-run-redis")),
        };
        writeln!(f, "  1. {set}")?;
        writeln!(f, "  2. {run}")?;
        writeln!(f, "  3. {}", t!("service-docker", var = var))?;
        write!(f, "{}", t!("service-see"))
    }
}

/// Finds a service in the course's order, up to the containers, which are the
/// runner's part.
pub async fn find(kind: Kind) -> Result<Found, NotFound> {
    let found = |url: String, source| Found { kind, url, source };
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
    tried.push(t!("service-not-set", var = kind.env_var()));
    match kind.probe(kind.local_url()).await {
        Ok(()) => return Ok(found(kind.local_url().into(), Source::LocalPort)),
        Err(e) => tried.push(format!("{}: {e}", kind.local_url())),
    }
    tried.push(if docker_answers() {
        t!("service-docker-answers")
    } else {
        t!("service-docker-none")
    });
    Err(NotFound { kind, tried })
}

pub use racecourse_manifest::services::docker_could_answer as docker_answers;

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

/// Opens an AMQP 0-9-1 conversation with the broker at `url` and checks that it
/// answers with a method frame (its Connection.Start). Enough to know a broker
/// is there, without an AMQP client in the kit: module 06 brings its own.
async fn amqp_handshake(url: &str) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address =
        amqp_address(url).ok_or_else(|| format!("not an amqp:// URL: {}", redact(url)))?;
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"AMQP\x00\x00\x09\x01")
        .await
        .map_err(|e| e.to_string())?;
    let mut frame_type = [0u8; 1];
    stream
        .read_exact(&mut frame_type)
        .await
        .map_err(|e| format!("{address} closed the connection: {e}"))?;
    match frame_type[0] {
        1 => Ok(()),
        other => Err(format!(
            "{address} answered, but not as an AMQP 0-9-1 broker (frame type {other})"
        )),
    }
}

/// `host:port` of an `amqp://user:pass@host:port/vhost` URL (port 5672 if none).
fn amqp_address(url: &str) -> Option<String> {
    let rest = url.strip_prefix("amqp://")?;
    let host_port = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host_port = host_port.split('/').next()?;
    if host_port.is_empty() {
        return None;
    }
    Some(if host_port.contains(':') {
        host_port.to_string()
    } else {
        format!("{host_port}:5672")
    })
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

/// A schema of its own, with a module's migrations applied, dropped by
/// [`Scratch::remove`]. Every connection of `pool` has it as its
/// `search_path`, so the module's SQL names its tables without a schema.
///
/// A schema, not a database: `CREATE DATABASE` copies a template and took
/// 0.4 s on the course machine, `CREATE SCHEMA` a few milliseconds, and a
/// PostgreSQL exercise's loop was to add at most 0.2 s to an in-memory one's
/// (ARCHITECTURE.md, "Notes on speed").
pub struct Scratch {
    pub pool: PgPool,
    pub name: String,
    admin: PgConnectOptions,
}

impl Scratch {
    /// Creates schema `rc_<label>_<unix seconds>_<random>` in the database
    /// found, and migrates it. The time in the name lets a later run tell a
    /// schema left behind by a killed process ([`sweep_strays`]).
    pub async fn create(migrator: &Migrator, label: &str) -> Result<Scratch, String> {
        let server = find(Kind::Postgres).await.map_err(|e| e.to_string())?;
        let admin = PgConnectOptions::from_str(&server.url).map_err(|e| e.to_string())?;
        if !SWEPT.swap(true, Ordering::Relaxed) {
            sweep_strays(&admin).await;
        }
        let name = format!(
            "rc_{label}_{}_{}",
            unix_seconds(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        admin_exec(&admin, &format!(r#"CREATE SCHEMA "{name}""#)).await?;
        // The application name marks the schema's connections: a sweep leaves
        // a schema in use alone, and `remove` ends the ones a test left open.
        let options = admin
            .clone()
            .options([("search_path", name.as_str())])
            .application_name(&name);
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| format!("cannot connect for the new schema {name}: {e}"))?;
        let scratch = Scratch { pool, name, admin };
        if let Err(e) = migrator.run(&scratch.pool).await {
            scratch.remove().await;
            return Err(format!("migrations failed: {e}"));
        }
        Ok(scratch)
    }

    /// Closes the pool, ends any connection still on the schema, and drops it.
    pub async fn remove(self) {
        self.pool.close().await;
        let drop = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{0}'; \
             DROP SCHEMA IF EXISTS \"{0}\" CASCADE",
            self.name
        );
        if let Err(e) = admin_exec(&self.admin, &drop).await {
            eprintln!("warning: could not drop test schema {}: {e}", self.name);
        }
    }
}

/// Set once this process has swept: one sweep per process is enough.
static SWEPT: AtomicBool = AtomicBool::new(false);

/// How old an unused scratch schema must be before a sweep drops it. A test
/// run is over in minutes; a demo keeps connections open while it serves.
const STRAY_AFTER: Duration = Duration::from_secs(3600);

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// When a scratch schema of that name was created, if it is one.
fn created_at(name: &str) -> Option<u64> {
    let mut parts = name.strip_prefix("rc_")?.rsplit('_');
    let _random = parts.next()?;
    parts.next()?.parse().ok()
}

/// Drops the scratch schemas that a killed test process left behind: made by
/// [`Scratch::create`], older than [`STRAY_AFTER`], and with no connection
/// on them. A sweep that fails only warns: it is housekeeping, not the test.
async fn sweep_strays(admin: &PgConnectOptions) {
    let listing = async {
        let mut conn = admin.connect().await?;
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'rc\\_%' \
             AND nspname NOT IN (SELECT application_name FROM pg_stat_activity)",
        )
        .fetch_all(&mut conn)
        .await?;
        conn.close().await?;
        Ok::<_, sqlx::Error>(names)
    };
    let names = match tokio::time::timeout(PROBE_TIMEOUT, listing).await {
        Ok(Ok(names)) => names,
        Ok(Err(e)) => return eprintln!("warning: could not list stray test schemas: {e}"),
        Err(_) => {
            return eprintln!("warning: listing stray test schemas took over {PROBE_TIMEOUT:?}");
        }
    };
    let cutoff = unix_seconds().saturating_sub(STRAY_AFTER.as_secs());
    for name in names {
        if created_at(&name).is_some_and(|t| t < cutoff) {
            let drop = format!(r#"DROP SCHEMA IF EXISTS "{name}" CASCADE"#);
            if let Err(e) = admin_exec(admin, &drop).await {
                eprintln!("warning: could not drop stray test schema {name}: {e}");
            }
        }
    }
}

async fn admin_exec(admin: &PgConnectOptions, sql: &str) -> Result<(), String> {
    let work = async {
        let mut conn = admin.connect().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await?;
        conn.close().await
    };
    match tokio::time::timeout(Duration::from_secs(30), work).await {
        Ok(result) => result.map_err(|e| format!("`{sql}` failed: {e}")),
        Err(_) => Err(format!("`{sql}` did not finish within 30 s")),
    }
}

/// Runs `body` with a pool on a fresh schema migrated by `migrator`, then drops
/// the schema, whether `body` passed or panicked.
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
    /// The server's URL, for a second client (e.g. a [`crate::pause::Pausable`] one).
    pub url: String,
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
    let server = find(Kind::Redis).await.unwrap_or_else(|e| panic!("{e}"));
    let conn = redis_connect(&server.url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {server}: {e}"));
    let slot = RedisSlot {
        conn,
        url: server.url.clone(),
        prefix: format!("rc:{}:", &uuid::Uuid::new_v4().simple().to_string()[..8]),
    };
    let outcome = tokio::spawn(body(slot.clone())).await;
    if let Err(e) = delete_prefix(&slot).await {
        eprintln!("warning: could not delete keys under {}: {e}", slot.prefix);
    }
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
            redis::cmd("DEL")
                .arg(&keys)
                .query_async::<()>(&mut conn)
                .await?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_creation_time_of_scratch_schemas_only() {
        assert_eq!(
            created_at("rc_test_1790000000_3f9a1c2b"),
            Some(1_790_000_000)
        );
        assert_eq!(
            created_at("rc_demo_1790000000_3f9a1c2b"),
            Some(1_790_000_000)
        );
        assert_eq!(created_at("rc_test_3f9a1c2b3f9a"), None);
        assert_eq!(created_at("orders"), None);
    }

    #[test]
    fn finds_the_broker_in_an_amqp_url() {
        assert_eq!(
            amqp_address("amqp://guest:guest@127.0.0.1:5672/%2f").as_deref(),
            Some("127.0.0.1:5672")
        );
        assert_eq!(
            amqp_address("amqp://rabbit/").as_deref(),
            Some("rabbit:5672")
        );
        assert_eq!(amqp_address("redis://127.0.0.1"), None);
    }

    #[test]
    fn hides_passwords() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }
}
