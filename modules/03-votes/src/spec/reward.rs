//! Spec of 03.4, on PostgreSQL, each test in a schema of its own, with a
//! clock the spec sets by hand ([`ManualClock`]).

use super::erased::DynDailyRewards;
use super::{call, first_failure, together};
use crate::MIGRATOR;
use crate::demo::{finish, reward_routes};
use crate::reward::{Clock, DAY, Granted, ManualClock, REWARD, RewardError, Zone, balance};
use axum::http::{Method, StatusCode};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;

/// Makes a daily reward on a pool, in a zone, on a clock.
pub type MakeRewards = fn(PgPool, Zone, Arc<dyn Clock>) -> Arc<dyn DynDailyRewards>;

/// The checks of 03.4.
pub fn checks(make: MakeRewards) -> Vec<Check> {
    vec![
        Check::new(
            "second_claim_waits_for_local_midnight",
            Runtime::Threads,
            second_claim_waits_for_local_midnight(make),
        ),
        Check::new(
            "the_day_is_the_local_day",
            Runtime::Threads,
            the_day_is_the_local_day(make),
        ),
        Check::new(
            "a_change_of_utc_offset",
            Runtime::Threads,
            a_change_of_utc_offset(make),
        ),
        Check::new(
            "one_claim_under_concurrency",
            Runtime::Threads,
            one_claim_under_concurrency(make),
        ),
        Check::new(
            "a_second_claim_answers_429",
            Runtime::Threads,
            a_second_claim_answers_429(make),
        ),
    ]
}

const HOUR: i64 = 3600;

/// Unix seconds of a UTC date and time.
pub fn utc(year: i64, month: i64, day: i64, hour: i64, minute: i64) -> i64 {
    // Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * DAY + hour * HOUR + minute * 60
}

/// One claim at the clock's time, with what it must answer.
struct Step {
    at: i64,
    /// `None`: granted; `Some(s)`: refused with Retry-After `s`.
    refused: Option<i64>,
    what: String,
}

/// Runs `steps` for one user, in order, checking each answer and the wallet.
async fn walk(pool: &PgPool, make: MakeRewards, zone: Zone, user: &str, steps: &[Step]) {
    let clock = ManualClock::at(steps[0].at);
    let rewards = make(pool.clone(), zone.clone(), clock.clone());
    let mut granted = 0;
    for step in steps {
        clock.set(step.at);
        let answer = rewards.claim(user).await;
        match (step.refused, &answer) {
            (None, Ok(Granted { balance, .. })) => {
                granted += 1;
                assert_eq!(
                    *balance,
                    granted * REWARD,
                    "{}",
                    t!(
                        "spec-03-4-wallet",
                        what = step.what.as_str(),
                        granted = granted
                    )
                );
            }
            (Some(secs), Err(RewardError::AlreadyClaimed { retry_after })) => assert!(
                *retry_after as i64 == secs,
                "{}{}",
                t!(
                    "spec-03-4-retry-after",
                    what = step.what.as_str(),
                    zone = zone.name.as_str(),
                    expected = secs,
                    expected_hms = hms(secs),
                    got = *retry_after,
                    got_hms = hms(*retry_after as i64)
                ),
                if (*retry_after as i64 - secs).abs() == HOUR {
                    format!(": {}", t!("spec-03-4-hour-off"))
                } else {
                    String::new()
                }
            ),
            (None, _) => panic!(
                "{}",
                t!(
                    "spec-03-4-granted",
                    what = step.what.as_str(),
                    zone = zone.name.as_str(),
                    got = format!("{answer:?}")
                )
            ),
            (Some(secs), _) => panic!(
                "{}",
                t!(
                    "spec-03-4-refused",
                    what = step.what.as_str(),
                    zone = zone.name.as_str(),
                    secs = secs,
                    got = format!("{answer:?}")
                )
            ),
        }
    }
    assert_eq!(
        balance(pool, user).await.unwrap(),
        granted * REWARD,
        "{}",
        t!("spec-03-4-one-per-claim", user = user)
    );
}

fn hms(secs: i64) -> String {
    format!("{}h{:02}m{:02}s", secs / HOUR, secs % HOUR / 60, secs % 60)
}

/// At UTC+2: claim at 23:30 local, refused until midnight with the seconds
/// left (1800, then 1), granted again at 00:00.
pub async fn second_claim_waits_for_local_midnight(make: MakeRewards) {
    with_pg(&MIGRATOR, move |pool| async move {
        let zone = Zone::fixed("UTC+02:00", 2 * 3600);
        // 21:30 UTC is 23:30 at UTC+2; local midnight is 22:00 UTC.
        let midnight = utc(2026, 3, 10, 22, 0);
        walk(
            &pool,
            make,
            zone,
            "ann",
            &[
                Step {
                    at: midnight - 30 * 60,
                    refused: None,
                    what: t!("spec-03-4-ann-first"),
                },
                Step {
                    at: midnight - 30 * 60,
                    refused: Some(30 * 60),
                    what: t!("spec-03-4-ann-second"),
                },
                Step {
                    at: midnight - 1,
                    refused: Some(1),
                    what: t!("spec-03-4-at-23-59-59"),
                },
                Step {
                    at: midnight,
                    refused: None,
                    what: t!("spec-03-4-at-00-00-00"),
                },
                Step {
                    at: midnight + 1,
                    refused: Some(DAY - 1),
                    what: t!("spec-03-4-at-00-00-01"),
                },
                Step {
                    at: midnight + DAY,
                    refused: None,
                    what: t!("spec-03-4-next-midnight"),
                },
            ],
        )
        .await;
    })
    .await;
}

/// West of UTC the local day and the UTC day differ for hours: at UTC-5,
/// 22:00 local on the 9th is 03:00 UTC on the 10th. The day is the local one.
pub async fn the_day_is_the_local_day(make: MakeRewards) {
    with_pg(&MIGRATOR, move |pool| async move {
        let zone = Zone::fixed("UTC-05:00", -5 * 3600);
        let midnight = utc(2026, 3, 10, 5, 0); // 00:00 on the 10th at UTC-5
        walk(
            &pool,
            make,
            zone.clone(),
            "bob",
            &[
                Step {
                    at: midnight - 2 * HOUR,
                    refused: None,
                    what: t!("spec-03-4-bob-22"),
                },
                Step {
                    at: midnight - 1,
                    refused: Some(1),
                    what: t!("spec-03-4-bob-23-59-59"),
                },
                Step {
                    at: midnight,
                    refused: None,
                    what: t!("spec-03-4-bob-00"),
                },
            ],
        )
        .await;
        walk(
            &pool,
            make,
            zone,
            "cy",
            &[
                Step {
                    at: utc(2026, 3, 10, 23, 0),
                    refused: None,
                    what: t!("spec-03-4-cy-18"),
                },
                Step {
                    at: utc(2026, 3, 11, 1, 0),
                    refused: Some(4 * HOUR),
                    what: t!("spec-03-4-cy-20"),
                },
            ],
        )
        .await;
    })
    .await;
}

/// On the days a zone changes its offset, a local day is 23 or 25 hours long:
/// Retry-After counts to the real next local midnight.
pub async fn a_change_of_utc_offset(make: MakeRewards) {
    with_pg(&MIGRATOR, move |pool| async move {
        // Clocks go forward: 02:00 local (01:00 UTC) becomes 03:00, UTC+1 to UTC+2.
        let spring = Zone::with_changes(
            "Europe/Paris, 2026",
            3600,
            &[(utc(2026, 3, 29, 1, 0), 7200)],
        );
        // 00:30 local on the 29th (UTC+1) is 23:30 UTC on the 28th; the next
        // midnight, at UTC+2, is 22:00 UTC on the 29th: 22 h 30 min away.
        walk(
            &pool,
            make,
            spring,
            "ann",
            &[
                Step {
                    at: utc(2026, 3, 28, 23, 30),
                    refused: None,
                    what: t!("spec-03-4-forward-00-30"),
                },
                Step {
                    at: utc(2026, 3, 28, 23, 30),
                    refused: Some(22 * HOUR + 30 * 60),
                    what: t!("spec-03-4-forward-again"),
                },
                Step {
                    at: utc(2026, 3, 29, 21, 59),
                    refused: Some(60),
                    what: t!("spec-03-4-at-23-59"),
                },
                Step {
                    at: utc(2026, 3, 29, 22, 0),
                    refused: None,
                    what: t!("spec-03-4-midnight-22-utc"),
                },
            ],
        )
        .await;
        // Clocks go back: 03:00 local (01:00 UTC) becomes 02:00, UTC+2 to UTC+1.
        let autumn = Zone::with_changes(
            "Europe/Paris, 2026",
            7200,
            &[(utc(2026, 10, 25, 1, 0), 3600)],
        );
        walk(
            &pool,
            make,
            autumn,
            "bob",
            &[
                Step {
                    at: utc(2026, 10, 24, 22, 30),
                    refused: None,
                    what: t!("spec-03-4-back-00-30"),
                },
                Step {
                    at: utc(2026, 10, 24, 22, 30),
                    refused: Some(24 * HOUR + 30 * 60),
                    what: t!("spec-03-4-back-again"),
                },
                Step {
                    at: utc(2026, 10, 25, 22, 59),
                    refused: Some(60),
                    what: t!("spec-03-4-at-23-59"),
                },
                Step {
                    at: utc(2026, 10, 25, 23, 0),
                    refused: None,
                    what: t!("spec-03-4-midnight-23-utc"),
                },
            ],
        )
        .await;
    })
    .await;
}

const CLAIMS: usize = 100;
const ROUNDS: usize = 5;

/// 100 claims of one user at once, on five days: exactly one granted each
/// day, the wallet credited once per day.
pub async fn one_claim_under_concurrency(make: MakeRewards) {
    with_pg(&MIGRATOR, move |pool| async move {
        let clock = ManualClock::at(utc(2026, 6, 1, 12, 0));
        let rewards = make(pool.clone(), Zone::fixed("UTC", 0), clock.clone());
        for round in 1..=ROUNDS as i64 {
            let answers = together(CLAIMS, |_| {
                let rewards = rewards.clone();
                async move { rewards.claim("dora").await }
            })
            .await;
            let granted = answers.iter().filter(|a| a.is_ok()).count();
            let refused = answers
                .iter()
                .filter(|a| matches!(a, Err(RewardError::AlreadyClaimed { retry_after }) if *retry_after == 12 * HOUR as u64))
                .count();
            let failed: Vec<String> = answers
                .iter()
                .filter_map(|a| match a {
                    Err(e @ RewardError::Db(_)) => Some(e.to_string()),
                    _ => None,
                })
                .collect();
            let coins = balance(&pool, "dora").await.unwrap();
            assert!(
                granted == 1 && refused == CLAIMS - 1 && coins == round * REWARD,
                "{}",
                t!(
                    "spec-03-4-one-a-day",
                    day = round,
                    claims = CLAIMS,
                    granted = granted,
                    refused = refused,
                    failed = failed.len(),
                    first = first_failure(&failed),
                    coins = coins,
                    rewards = coins / REWARD
                )
            );
            clock.advance(DAY);
        }
    })
    .await;
}

/// Over HTTP (the demo's route): a claim is 200, a second 429 problem+json
/// with `Retry-After` in seconds; a bad user name is a problem+json 400.
pub async fn a_second_claim_answers_429(make: MakeRewards) {
    with_pg(&MIGRATOR, move |pool| async move {
        let clock = ManualClock::at(utc(2026, 6, 1, 20, 0));
        let router = finish(reward_routes(make(
            pool.clone(),
            Zone::fixed("UTC+03:00", 3 * 3600),
            clock,
        )));
        let first = call(&router, Method::POST, "/rewards/ann/claim", None).await;
        assert_eq!(
            first.status,
            StatusCode::OK,
            "{}",
            t!(
                "spec-03-4-first-200",
                status = first.status.to_string(),
                answer = first.body.as_str()
            )
        );
        let second = call(&router, Method::POST, "/rewards/ann/claim", None).await;
        let retry_after = second
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok());
        assert!(
            second.status == StatusCode::TOO_MANY_REQUESTS
                && second.is_problem()
                && retry_after == Some("3600"),
            "{}",
            t!(
                "spec-03-4-second-429",
                status = second.status.to_string(),
                retry_after = format!("{retry_after:?}"),
                answer = second.body.as_str()
            )
        );
        let bad = call(&router, Method::POST, "/rewards/%01/claim", None).await;
        assert!(
            bad.status.is_client_error() && bad.is_problem(),
            "{}",
            t!(
                "spec-03-4-control-char",
                status = bad.status.to_string(),
                answer = bad.body.as_str()
            )
        );
    })
    .await;
}
