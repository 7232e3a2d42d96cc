//! Spec of 03.2, on PostgreSQL, each test in a schema of its own.

use super::erased::DynBallots;
use super::together;
use crate::MIGRATOR;
use crate::ballot::{Cast, Tally, tallies};
use crate::poll::{VoteError, create_poll};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;

/// Makes a ballot box on a pool.
pub type MakeBallots = fn(PgPool) -> Arc<dyn DynBallots>;

/// The checks of 03.2.
pub fn checks(make: MakeBallots) -> Vec<Check> {
    vec![
        Check::new("each_answer", Runtime::Threads, each_answer(make)),
        Check::new(
            "tallies_follow_concurrent_changes",
            Runtime::Threads,
            tallies_follow_concurrent_changes(make),
        ),
    ]
}

/// The tallies of `poll`'s options, in option order.
async fn tally_values(pool: &PgPool, poll: i64) -> Vec<i64> {
    tallies(pool, poll)
        .await
        .unwrap()
        .iter()
        .map(|t| t.tally)
        .collect()
}

/// New, Unchanged, Changed with the option left, each with its tallies; an
/// option that is not the poll's changes nothing.
pub async fn each_answer(make: MakeBallots) {
    with_pg(&MIGRATOR, move |pool| async move {
        let ballots = make(pool.clone());
        let (poll, o) = create_poll(&pool, "Best pet?", &["cat", "dog", "fish"])
            .await
            .unwrap();
        let (_, elsewhere) = create_poll(&pool, "Tea or coffee?", &["tea"])
            .await
            .unwrap();

        let steps = [
            ("ann", o[0], Cast::New, [1, 0, 0], t!("spec-03-2-ann-first")),
            (
                "ann",
                o[0],
                Cast::Unchanged,
                [1, 0, 0],
                t!("spec-03-2-ann-same"),
            ),
            (
                "ann",
                o[1],
                Cast::Changed { from: o[0] },
                [0, 1, 0],
                t!("spec-03-2-ann-to-dog"),
            ),
            ("bob", o[2], Cast::New, [0, 1, 1], t!("spec-03-2-bob-first")),
            (
                "ann",
                o[2],
                Cast::Changed { from: o[1] },
                [0, 0, 2],
                t!("spec-03-2-ann-to-fish"),
            ),
        ];
        for (voter, option, cast, expected, what) in steps {
            let answer = ballots.cast(poll, option, voter).await;
            assert!(
                matches!(answer, Ok(c) if c == cast),
                "{}",
                t!(
                    "spec-03-2-answer",
                    what = what,
                    expected = format!("{cast:?}"),
                    got = format!("{answer:?}")
                )
            );
            assert_eq!(
                tally_values(&pool, poll).await,
                expected,
                "{}",
                t!(
                    "spec-03-2-tallies",
                    what = what,
                    expected = format!("{expected:?}")
                )
            );
        }
        let answer = ballots.cast(poll, elsewhere[0], "ann").await;
        assert!(
            matches!(answer, Err(VoteError::UnknownOption { .. })),
            "{}",
            t!("spec-03-2-unknown-option", got = format!("{answer:?}"))
        );
        assert_eq!(
            tally_values(&pool, poll).await,
            [0, 0, 2],
            "{}",
            t!("spec-03-2-refused-no-tally")
        );
    })
    .await;
}

const ROUNDS: usize = 3;
const VOTERS: usize = 20;
const CASTS_EACH: usize = 10;
const OPTIONS: usize = 4;

/// 20 voters cast 10 votes each, all 200 at once, over four options: every
/// cast succeeds, each voter's first is the one `New`, and each tally equals
/// the votes for its option. Three rounds.
pub async fn tallies_follow_concurrent_changes(make: MakeBallots) {
    with_pg(&MIGRATOR, move |pool| async move {
        let ballots = make(pool.clone());
        for round in 0..ROUNDS {
            let (poll, options) = create_poll(&pool, "Best pet?", &["cat", "dog", "fish", "newt"])
                .await
                .unwrap();
            let options = Arc::new(options);
            let answers = together(VOTERS * CASTS_EACH, |i| {
                let (ballots, options) = (ballots.clone(), options.clone());
                // Each voter's casts jump around the options in an order of its own.
                let (voter, nth) = (i % VOTERS, i / VOTERS);
                let option = options[(voter + nth * (1 + voter % 3)) % OPTIONS];
                async move { ballots.cast(poll, option, &format!("voter-{voter}")).await }
            })
            .await;
            let rows: Vec<Tally> = tallies(&pool, poll).await.unwrap();
            let drifted: Vec<String> = rows
                .iter()
                .filter(|t| t.tally != t.counted)
                .map(|row| {
                    t!(
                        "spec-03-2-drifted-option",
                        option = row.option,
                        tally = row.tally,
                        votes = row.counted
                    )
                })
                .collect();
            assert!(
                drifted.is_empty(),
                "{}",
                t!(
                    "spec-03-2-drifted",
                    round = round,
                    casts = VOTERS * CASTS_EACH,
                    voters = VOTERS,
                    drifted = drifted.join("; ")
                )
            );
            let failures: Vec<String> = answers
                .iter()
                .filter_map(|a| a.as_ref().err().map(ToString::to_string))
                .collect();
            assert!(
                failures.is_empty(),
                "{}{}",
                t!(
                    "spec-03-2-failed",
                    round = round,
                    failed = failures.len(),
                    casts = VOTERS * CASTS_EACH,
                    first = failures[0].as_str()
                ),
                if failures[0].contains("deadlock") || failures[0].contains("pool timed out") {
                    format!(": {}", t!("spec-03-2-deadlock"))
                } else {
                    String::new()
                }
            );
            let news = answers
                .iter()
                .filter(|a| matches!(a, Ok(Cast::New)))
                .count();
            assert!(
                news == VOTERS,
                "{}",
                t!(
                    "spec-03-2-news",
                    round = round,
                    news = news,
                    voters = VOTERS
                )
            );
        }
    })
    .await;
}
