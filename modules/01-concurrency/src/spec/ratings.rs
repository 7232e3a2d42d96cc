//! Spec of 01.6.

use super::erased::DynRatings;
use super::together;
use crate::MIGRATOR;
use crate::ratings::{RateError, create_book, rating_totals};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;

/// Makes a ratings store on a pool.
pub type MakeRatings = fn(PgPool) -> Arc<dyn DynRatings>;

/// The checks of 01.6.
pub fn checks(make: MakeRatings) -> Vec<Check> {
    vec![Check::new(
        "no_rating_is_lost",
        Runtime::Threads,
        no_rating_is_lost(make),
    )]
}

const RATERS: usize = 200;
const ROUNDS: usize = 2;

/// 200 ratings at once: every one is counted, and the sum is exact.
pub async fn no_rating_is_lost(make: MakeRatings) {
    with_pg(&MIGRATOR, move |pool| async move {
        let ratings = make(pool.clone());
        let probe = create_book(&pool, "probe").await.unwrap();
        for bad in [0, 6, -1] {
            assert!(
                matches!(ratings.rate(probe, bad).await, Err(RateError::InvalidStars(s)) if s == bad),
                "{}",
                t!("spec-01-6-invalid-stars", stars = bad)
            );
        }
        assert!(
            matches!(ratings.rate(9_999_999, 3).await, Err(RateError::UnknownBook(9_999_999))),
            "{}",
            t!("spec-01-6-unknown")
        );
        assert!(ratings.rate(probe, 4).await.is_ok(), "{}", t!("spec-01-6-one-ok"));
        assert_eq!(rating_totals(&pool, probe).await.unwrap(), (1, 4), "{}", t!("spec-01-6-one-counted"));

        for round in 1..=ROUNDS {
            let book = create_book(&pool, &format!("round {round}")).await.unwrap();
            let results = together(RATERS, |i| {
                let ratings = ratings.clone();
                async move { ratings.rate(book, (i % 5) as i32 + 1).await }
            })
            .await;
            let failed: Vec<String> = results.iter().filter_map(|r| r.as_ref().err()).map(|e| e.to_string()).collect();
            assert!(
                failed.is_empty(),
                "{}",
                t!("spec-01-6-failed", round = round, failed = failed.len(), raters = RATERS, first = failed[0])
            );
            let expected_sum: i64 = (0..RATERS).map(|i| (i % 5) as i64 + 1).sum();
            let (count, sum) = rating_totals(&pool, book).await.unwrap();
            assert!(
                count == RATERS as i32 && sum == expected_sum,
                "{}",
                t!(
                    "spec-01-6-lost",
                    round = round,
                    raters = RATERS,
                    expected = expected_sum,
                    count = count,
                    sum = sum,
                    lost = RATERS as i32 - count
                )
            );
        }
    })
    .await;
}
