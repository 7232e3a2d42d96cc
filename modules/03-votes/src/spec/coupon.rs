//! Spec of 03.5, on PostgreSQL, each test in a schema of its own.

use super::erased::DynCoupons;
use super::together;
use crate::MIGRATOR;
use crate::coupon::{CouponError, CouponState, Redemption, coupon_state, create_coupon};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Makes a coupon book on a pool.
pub type MakeCoupons = fn(PgPool) -> Arc<dyn DynCoupons>;

/// The checks of 03.5.
pub fn checks(make: MakeCoupons) -> Vec<Check> {
    vec![
        Check::new("each_answer", Runtime::Threads, each_answer(make)),
        Check::new(
            "two_hundred_redeem_ten_uses",
            Runtime::Threads,
            two_hundred_redeem_ten_uses(make),
        ),
        Check::new(
            "one_redemption_per_user",
            Runtime::Threads,
            one_redemption_per_user(make),
        ),
    ]
}

fn describe(answer: &Result<Redemption, CouponError>) -> String {
    match answer {
        Ok(r) => format!("Ok({})", t!("spec-03-5-uses-left", left = r.uses_left)),
        Err(e) => format!("Err({e})"),
    }
}

/// Each answer of a 2-use and a single-use coupon, in turn.
pub async fn each_answer(make: MakeCoupons) {
    with_pg(&MIGRATOR, move |pool| async move {
        let coupons = make(pool.clone());
        create_coupon(&pool, "TWICE", 2).await.unwrap();
        create_coupon(&pool, "ONCE", 1).await.unwrap();
        let steps: [(&str, &str, &str, String); 9] = [
            ("TWICE", "ann", "Ok(1)", t!("spec-03-5-ann-twice")),
            ("TWICE", "ann", "AlreadyRedeemed", t!("spec-03-5-ann-again")),
            ("TWICE", "bob", "Ok(0)", t!("spec-03-5-bob-last")),
            ("TWICE", "cy", "UsedUp", t!("spec-03-5-cy-used-up")),
            (
                "TWICE",
                "ann",
                "AlreadyRedeemed",
                t!("spec-03-5-ann-used-up"),
            ),
            ("NOPE", "ann", "UnknownCoupon", t!("spec-03-5-unknown")),
            ("ONCE", "cy", "Ok(0)", t!("spec-03-5-cy-once")),
            ("ONCE", "dan", "UsedUp", t!("spec-03-5-dan-used")),
            (
                "ONCE",
                "cy",
                "AlreadyRedeemed",
                t!("spec-03-5-cy-once-again"),
            ),
        ];
        for (code, redeemer, expected, what) in steps {
            let answer = coupons.redeem(code, redeemer).await;
            let got = match &answer {
                Ok(r) if r.code == code && r.redeemer == redeemer => format!("Ok({})", r.uses_left),
                Ok(r) => format!("Ok({r:?})"),
                Err(CouponError::AlreadyRedeemed { .. }) => "AlreadyRedeemed".into(),
                Err(CouponError::UsedUp(_)) => "UsedUp".into(),
                Err(CouponError::UnknownCoupon(_)) => "UnknownCoupon".into(),
                Err(e) => format!("Err({e})"),
            };
            assert_eq!(
                got,
                expected,
                "{}",
                t!(
                    "spec-03-5-answer",
                    what = what.as_str(),
                    code = code,
                    redeemer = redeemer,
                    expected = expected,
                    got = describe(&answer)
                )
            );
        }
        for (code, uses) in [("TWICE", 2), ("ONCE", 1)] {
            let state = coupon_state(&pool, code).await.unwrap();
            assert!(
                state.uses == uses && state.redemptions == i64::from(uses),
                "{}",
                t!(
                    "spec-03-5-state",
                    code = code,
                    uses = uses,
                    state = format!("{state:?}")
                )
            );
        }
    })
    .await;
}

/// Checks a raced coupon: `granted` redemptions answered Ok, and the coupon's
/// uses and rows agree with them and with its limit.
fn assert_limit(
    round: &str,
    code: &str,
    tries: usize,
    granted: usize,
    state: CouponState,
    errors: &[String],
) {
    let max = state.max_uses as usize;
    assert!(
        granted == max
            && state.uses == state.max_uses
            && state.redemptions == i64::from(state.max_uses),
        "{}",
        t!(
            "spec-03-5-limit",
            round = round,
            tries = tries,
            code = code,
            max = max,
            granted = granted,
            errors = errors.len(),
            first = errors
                .first()
                .map(|e| format!(" ({})", t!("spec-03-5-first", error = e.as_str())))
                .unwrap_or_default(),
            uses = state.uses,
            rows = state.redemptions
        )
    );
}

fn db_errors(answers: &[Result<Redemption, CouponError>]) -> Vec<String> {
    answers
        .iter()
        .filter_map(|a| match a {
            Err(e @ CouponError::Db(_)) => Some(e.to_string()),
            _ => None,
        })
        .collect()
}

const REDEEMERS: usize = 200;

/// 200 users redeem a 10-use coupon at once, three rounds, then a single-use
/// one: exactly 10 (and 1) are granted, each told a different number of uses
/// left, and the rest `UsedUp`.
pub async fn two_hundred_redeem_ten_uses(make: MakeCoupons) {
    with_pg(&MIGRATOR, move |pool| async move {
        let coupons = make(pool.clone());
        for (round, max_uses) in [(1, 10), (2, 10), (3, 10), (4, 1)] {
            let code = Arc::new(format!("SPRING-{round}"));
            create_coupon(&pool, &code, max_uses).await.unwrap();
            let answers = together(REDEEMERS, |i| {
                let (coupons, code) = (coupons.clone(), code.clone());
                async move { coupons.redeem(&code, &format!("user-{i}")).await }
            })
            .await;
            let granted: Vec<i32> = answers
                .iter()
                .filter_map(|a| a.as_ref().ok().map(|r| r.uses_left))
                .collect();
            let state = coupon_state(&pool, &code).await.unwrap();
            let round_name = t!("spec-03-5-round", round = round);
            assert_limit(
                &round_name,
                &code,
                REDEEMERS,
                granted.len(),
                state,
                &db_errors(&answers),
            );
            let left: BTreeSet<i32> = granted.iter().copied().collect();
            assert!(
                left == (0..max_uses).collect(),
                "{}",
                t!(
                    "spec-03-5-told",
                    round = round_name.as_str(),
                    max = max_uses,
                    told = format!("{granted:?}"),
                    top = max_uses - 1
                )
            );
            let used_up = answers
                .iter()
                .filter(|a| matches!(a, Err(CouponError::UsedUp(_))))
                .count();
            assert_eq!(
                used_up,
                REDEEMERS - max_uses as usize,
                "{}",
                t!("spec-03-5-used-up", round = round_name.as_str())
            );
        }
    })
    .await;
}

/// One user redeems a 10-use coupon 50 times at once: one granted, 49
/// `AlreadyRedeemed`, one use spent. Then 20 users, 10 times each, all 200
/// at once: 10 granted, each to a different user.
pub async fn one_redemption_per_user(make: MakeCoupons) {
    with_pg(&MIGRATOR, move |pool| async move {
        let coupons = make(pool.clone());
        create_coupon(&pool, "ANN-ONLY", 10).await.unwrap();
        let answers = together(50, |_| {
            let coupons = coupons.clone();
            async move { coupons.redeem("ANN-ONLY", "ann").await }
        })
        .await;
        let granted = answers.iter().filter(|a| a.is_ok()).count();
        let again = answers
            .iter()
            .filter(|a| matches!(a, Err(CouponError::AlreadyRedeemed { .. })))
            .count();
        let state = coupon_state(&pool, "ANN-ONLY").await.unwrap();
        assert!(
            granted == 1 && again == 49 && state.uses == 1 && state.redemptions == 1,
            "{}",
            t!(
                "spec-03-5-ann-only",
                granted = granted,
                again = again,
                others = 50 - granted - again,
                example = answers
                    .iter()
                    .find(|a| !matches!(a, Ok(_) | Err(CouponError::AlreadyRedeemed { .. })))
                    .map_or_else(|| t!("spec-03-5-none"), describe),
                uses = state.uses,
                rows = state.redemptions
            )
        );

        create_coupon(&pool, "CROWD", 10).await.unwrap();
        let answers = together(200, |i| {
            let coupons = coupons.clone();
            async move {
                let user = format!("user-{}", i % 20);
                (user.clone(), coupons.redeem("CROWD", &user).await)
            }
        })
        .await;
        let winners: Vec<String> = answers
            .iter()
            .filter(|(_, a)| a.is_ok())
            .map(|(u, _)| u.clone())
            .collect();
        let distinct: BTreeSet<&String> = winners.iter().collect();
        assert!(
            distinct.len() == winners.len(),
            "{}",
            t!(
                "spec-03-5-per-user",
                granted = winners.len(),
                users = distinct.len()
            )
        );
        let results: Vec<Result<Redemption, CouponError>> =
            answers.into_iter().map(|(_, a)| a).collect();
        let state = coupon_state(&pool, "CROWD").await.unwrap();
        assert_limit(
            &t!("spec-03-5-crowd"),
            "CROWD",
            200,
            winners.len(),
            state,
            &db_errors(&results),
        );
    })
    .await;
}
