//! Exercise 03.4: a daily reward, once per user per calendar day in the
//! service's time zone. A second claim the same local day is refused with the
//! seconds until the next local midnight, which HTTP sends as `Retry-After`.
//!
//! The time comes from an injected [`Clock`], so the spec moves it across
//! midnights and changes of UTC offset in microseconds. The time zone is a
//! [`Zone`]: a UTC offset and the instants it changes, as the tz database
//! gives them for a real zone (no tz database is linked: the service is
//! configured with the zone's rules for the years it runs).

use sqlx::PgPool;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds in a day of 24 hours. A local calendar day is not always one: a
/// change of UTC offset makes it 23 or 25 hours long.
pub const DAY: i64 = 86_400;

/// The coins a claim credits to the user's wallet.
pub const REWARD: i64 = 10;

/// What time it is, in Unix seconds.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> i64;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// A clock the spec sets by hand.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn at(unix: i64) -> Arc<ManualClock> {
        Arc::new(ManualClock(AtomicI64::new(unix)))
    }
    pub fn set(&self, unix: i64) {
        self.0.store(unix, Ordering::SeqCst);
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A time zone: its UTC offset before any change, and each change (from this
/// Unix second on, this offset), in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub offset: i32,
    pub changes: Vec<(i64, i32)>,
}

impl Zone {
    /// A zone whose offset never changes, `offset` seconds east of UTC.
    pub fn fixed(name: &str, offset: i32) -> Zone {
        Zone {
            name: name.into(),
            offset,
            changes: Vec::new(),
        }
    }

    /// A zone at `offset` that changes to each `(at, offset)` in turn.
    pub fn with_changes(name: &str, offset: i32, changes: &[(i64, i32)]) -> Zone {
        Zone {
            name: name.into(),
            offset,
            changes: changes.to_vec(),
        }
    }

    /// The offset from UTC, in seconds east, at the instant `utc` (Unix seconds).
    pub fn offset_at(&self, utc: i64) -> i32 {
        self.changes
            .iter()
            .take_while(|(at, _)| *at <= utc)
            .last()
            .map_or(self.offset, |(_, offset)| *offset)
    }
}

/// A claim that was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    /// The local calendar day claimed, in days since 1970-01-01.
    pub day: i64,
    /// The wallet's coins after the reward.
    pub balance: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum RewardError {
    /// Claimed already today (local): try again in `retry_after` seconds, at
    /// the next local midnight.
    #[error("the reward was claimed already today; the next one is in {retry_after} s")]
    AlreadyClaimed { retry_after: u64 },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

pub trait DailyRewards: Send + Sync + 'static {
    fn new(pool: PgPool, zone: Zone, clock: Arc<dyn Clock>) -> Self
    where
        Self: Sized;

    /// Credits [`REWARD`] coins to `user`'s wallet, once per local calendar
    /// day: the claim and the credit in one transaction.
    fn claim(&self, user: &str) -> impl Future<Output = Result<Granted, RewardError>> + Send;
}

/// The coins in `user`'s wallet (0 without one).
pub async fn balance(pool: &PgPool, user: &str) -> sqlx::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT coins FROM wallets WHERE user_id = $1")
            .bind(user)
            .fetch_optional(pool)
            .await?
            .unwrap_or(0),
    )
}
