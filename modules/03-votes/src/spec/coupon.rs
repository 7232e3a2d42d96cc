//! Spec of 03.5, on PostgreSQL, each test in a schema of its own.

use super::erased::DynCoupons;
use super::together;
use crate::MIGRATOR;
use crate::coupon::{CouponError, CouponState, Redemption, coupon_state, create_coupon};
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
        Ok(r) => format!("Ok({} uses left)", r.uses_left),
        Err(e) => format!("Err({e})"),
    }
}

/// Each answer of a 2-use and a single-use coupon, in turn.
pub async fn each_answer(make: MakeCoupons) {
    with_pg(&MIGRATOR, move |pool| async move {
        let coupons = make(pool.clone());
        create_coupon(&pool, "TWICE", 2).await.unwrap();
        create_coupon(&pool, "ONCE", 1).await.unwrap();
        let steps: [(&str, &str, &str, &str); 9] = [
            (
                "TWICE",
                "ann",
                "Ok(1)",
                "ann's redemption of a 2-use coupon",
            ),
            ("TWICE", "ann", "AlreadyRedeemed", "ann's second redemption"),
            ("TWICE", "bob", "Ok(0)", "bob's redemption, the last use"),
            (
                "TWICE",
                "cy",
                "UsedUp",
                "cy's redemption of the used-up coupon",
            ),
            (
                "TWICE",
                "ann",
                "AlreadyRedeemed",
                "ann's redemption of the used-up coupon she redeemed",
            ),
            (
                "NOPE",
                "ann",
                "UnknownCoupon",
                "a redemption of a coupon that does not exist",
            ),
            (
                "ONCE",
                "cy",
                "Ok(0)",
                "cy's redemption of a single-use coupon",
            ),
            (
                "ONCE",
                "dan",
                "UsedUp",
                "dan's redemption of the used single-use coupon",
            ),
            (
                "ONCE",
                "cy",
                "AlreadyRedeemed",
                "cy's second redemption of the single-use coupon",
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
                "{what} (coupon {code}, {redeemer}) must answer {expected}, got {}",
                describe(&answer)
            );
        }
        for (code, uses) in [("TWICE", 2), ("ONCE", 1)] {
            let state = coupon_state(&pool, code).await.unwrap();
            assert!(
                state.uses == uses && state.redemptions == i64::from(uses),
                "coupon {code} must show {uses} uses and {uses} redemptions, got {state:?}: a \
                 refused redemption must leave no use and no row behind"
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
        "{round}: {tries} redemptions of {code}, a {max}-use coupon, at once: {granted} granted, \
         {} refused with a database error{}; the coupon shows {} uses and {} redemption rows. \
         Exactly {max} must be granted, no more (one conditional UPDATE ... SET uses = uses + 1 \
         WHERE code = $1 AND uses < max_uses, never a count and then an insert) and no fewer",
        errors.len(),
        errors
            .first()
            .map(|e| format!(" (the first: `{e}`)"))
            .unwrap_or_default(),
        state.uses,
        state.redemptions
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
            let round_name = format!("round {round}");
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
                "{round_name}: the {max_uses} granted redemptions were told {granted:?} uses left; \
                 each must be told a different one, {} down to 0 (RETURNING max_uses - uses)",
                max_uses - 1
            );
            let used_up = answers
                .iter()
                .filter(|a| matches!(a, Err(CouponError::UsedUp(_))))
                .count();
            assert_eq!(
                used_up,
                REDEEMERS - max_uses as usize,
                "{round_name}: every redemption past the limit must be UsedUp"
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
            "50 redemptions of ANN-ONLY (10 uses) by ann at once: {granted} granted, {again} \
             AlreadyRedeemed, {} other answers (e.g. {}); the coupon shows {} uses and {} rows. \
             One must be granted, 49 AlreadyRedeemed, and one use spent: a refused duplicate \
             must not spend a use (the insert and the UPDATE in one transaction)",
            50 - granted - again,
            answers
                .iter()
                .find(|a| !matches!(a, Ok(_) | Err(CouponError::AlreadyRedeemed { .. })))
                .map(describe)
                .unwrap_or_else(|| "none".into()),
            state.uses,
            state.redemptions
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
            "20 users redeemed CROWD 10 times each, at once: {} redemptions were granted to {} \
             users: at most one per user",
            winners.len(),
            distinct.len()
        );
        let results: Vec<Result<Redemption, CouponError>> =
            answers.into_iter().map(|(_, a)| a).collect();
        let state = coupon_state(&pool, "CROWD").await.unwrap();
        assert_limit(
            "20 users x 10",
            "CROWD",
            200,
            winners.len(),
            state,
            &db_errors(&results),
        );
    })
    .await;
}
