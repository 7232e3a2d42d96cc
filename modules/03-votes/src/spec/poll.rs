//! Spec of 03.1, on PostgreSQL, each test in a schema of its own.

use super::erased::DynPolls;
use super::{call, first_failure, together};
use crate::MIGRATOR;
use crate::demo::{finish, vote_routes};
use crate::poll::{Vote, VoteError, create_poll, votes_of};
use axum::http::{Method, StatusCode};
use racecourse_kit::i18n::t;
use racecourse_kit::services::with_pg;
use racecourse_kit::spec::{Check, Runtime};
use sqlx::PgPool;
use std::sync::Arc;

/// Makes a poll store on a pool.
pub type MakePolls = fn(PgPool) -> Arc<dyn DynPolls>;

/// The checks of 03.1.
pub fn checks(make: MakePolls) -> Vec<Check> {
    vec![
        Check::new("each_answer", Runtime::Threads, each_answer(make)),
        Check::new(
            "identical_votes_count_once",
            Runtime::Threads,
            identical_votes_count_once(make),
        ),
        Check::new(
            "a_duplicate_answers_409",
            Runtime::Threads,
            a_duplicate_answers_409(make),
        ),
    ]
}

/// A vote is stored and returned; a second vote of the same voter, for the
/// same option or another, is `AlreadyVoted` naming the stored vote, which
/// stays as it was; an option that is not the poll's is `UnknownOption`.
pub async fn each_answer(make: MakePolls) {
    with_pg(&MIGRATOR, move |pool| async move {
        let polls = make(pool.clone());
        let (poll, options) = create_poll(&pool, "Best pet?", &["cat", "dog", "fish"])
            .await
            .unwrap();
        let (other_poll, other_options) = create_poll(&pool, "Tea or coffee?", &["tea", "coffee"])
            .await
            .unwrap();

        let ann = polls.vote(poll, options[0], "ann").await;
        let ann = match ann {
            Ok(vote) => vote,
            Err(e) => panic!(
                "{}",
                t!("spec-03-1-first-stored", poll = poll, error = e.to_string())
            ),
        };
        assert!(
            ann.poll == poll && ann.option == options[0] && ann.voter == "ann",
            "{}",
            t!(
                "spec-03-1-returned",
                option = options[0],
                poll = poll,
                vote = format!("{ann:?}")
            )
        );
        assert_eq!(
            votes_of(&pool, poll).await.unwrap(),
            std::slice::from_ref(&ann),
            "{}",
            t!("spec-03-1-returned-stored")
        );

        for (option, what) in [
            (options[0], t!("spec-03-1-same-option")),
            (options[1], t!("spec-03-1-another-option")),
        ] {
            match polls.vote(poll, option, "ann").await {
                Err(VoteError::AlreadyVoted(existing)) => assert_eq!(
                    existing,
                    ann,
                    "{}",
                    t!(
                        "spec-03-1-second-unchanged",
                        what = what,
                        vote = format!("{ann:?}")
                    )
                ),
                other => panic!(
                    "{}",
                    t!(
                        "spec-03-1-second-refused",
                        poll = poll,
                        what = what,
                        id = ann.id,
                        got = format!("{other:?}")
                    )
                ),
            }
        }
        assert_eq!(
            votes_of(&pool, poll).await.unwrap(),
            std::slice::from_ref(&ann),
            "{}",
            t!("spec-03-1-first-only")
        );

        let bob = polls.vote(poll, options[2], "bob").await;
        assert!(
            bob.is_ok(),
            "{}",
            t!("spec-03-1-bob", got = format!("{bob:?}"))
        );
        let elsewhere = polls.vote(other_poll, other_options[1], "ann").await;
        assert!(
            elsewhere.is_ok(),
            "{}",
            t!("spec-03-1-other-poll", got = format!("{elsewhere:?}"))
        );

        for (p, o, what) in [
            (poll, other_options[0], t!("spec-03-1-foreign-option")),
            (9_999_999, options[0], t!("spec-03-1-no-poll")),
        ] {
            let answer = polls.vote(p, o, "cy").await;
            assert!(
                matches!(answer, Err(VoteError::UnknownOption { poll: pp, option: oo }) if pp == p && oo == o),
                "{}",
                t!(
                    "spec-03-1-unknown-option",
                    what = what,
                    poll = p,
                    option = o,
                    got = format!("{answer:?}")
                )
            );
        }
        assert_eq!(
            votes_of(&pool, poll).await.unwrap().len(),
            2,
            "{}",
            t!("spec-03-1-two-votes", poll = poll)
        );
    })
    .await;
}

const ROUNDS: usize = 5;
const VOTERS: usize = 100;

/// 100 votes of one voter at once, five rounds (all for one option, or
/// spread over three): exactly one counts, and the other 99 are answered
/// `AlreadyVoted` naming it.
pub async fn identical_votes_count_once(make: MakePolls) {
    with_pg(&MIGRATOR, move |pool| async move {
        let polls = make(pool.clone());
        let (poll, options) = create_poll(&pool, "Best pet?", &["cat", "dog", "fish"])
            .await
            .unwrap();
        let options = Arc::new(options);
        for round in 0..ROUNDS {
            let voter = Arc::new(format!("voter-{round}"));
            let answers = together(VOTERS, |i| {
                let (polls, voter, options) = (polls.clone(), voter.clone(), options.clone());
                let option = if round % 2 == 0 {
                    options[0]
                } else {
                    options[i % 3]
                };
                async move { polls.vote(poll, option, &voter).await }
            })
            .await;
            let counted: Vec<&Vote> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
            let duplicates: Vec<&Vote> = answers
                .iter()
                .filter_map(|a| match a {
                    Err(VoteError::AlreadyVoted(v)) => Some(v),
                    _ => None,
                })
                .collect();
            let failures: Vec<String> = answers
                .iter()
                .filter_map(|a| match a {
                    Err(VoteError::AlreadyVoted(_)) | Ok(_) => None,
                    Err(e) => Some(e.to_string()),
                })
                .collect();
            let stored: Vec<Vote> = votes_of(&pool, poll)
                .await
                .unwrap()
                .into_iter()
                .filter(|v| v.voter == *voter)
                .collect();
            assert!(
                counted.len() == 1 && duplicates.len() == VOTERS - 1,
                "{}",
                t!(
                    "spec-03-1-count-once",
                    round = round,
                    votes = VOTERS,
                    voter = voter.as_str(),
                    counted = counted.len(),
                    duplicates = duplicates.len(),
                    failed = failures.len(),
                    first = first_failure(&failures),
                    stored = stored.len(),
                    others = VOTERS - 1
                )
            );
            let winner = counted[0];
            assert_eq!(
                stored,
                std::slice::from_ref(winner),
                "{}",
                t!("spec-03-1-stored-counted", round = round)
            );
            if let Some(other) = duplicates.iter().find(|v| **v != winner) {
                panic!(
                    "{}",
                    t!(
                        "spec-03-1-names-other",
                        round = round,
                        other = format!("{other:?}"),
                        winner = format!("{winner:?}")
                    )
                );
            }
        }
    })
    .await;
}

/// Over HTTP (the demo's routes): a vote is 201, a duplicate 409
/// problem+json naming the existing vote; bad input is a problem+json 4xx.
pub async fn a_duplicate_answers_409(make: MakePolls) {
    with_pg(&MIGRATOR, move |pool| async move {
        let router = finish(vote_routes(make(pool.clone()), pool.clone()));
        let (poll, options) = create_poll(&pool, "Best pet?", &["cat", "dog"])
            .await
            .unwrap();
        let uri = format!("/polls/{poll}/votes");
        let body = format!(r#"{{"voter":"ann","option":{}}}"#, options[0]);
        let first = call(&router, Method::POST, &uri, Some(&body)).await;
        assert_eq!(
            first.status,
            StatusCode::CREATED,
            "{}",
            t!(
                "spec-03-1-created",
                uri = uri.as_str(),
                body = body.as_str(),
                status = first.status.to_string(),
                answer = first.body.as_str()
            )
        );
        let id = serde_json::from_str::<serde_json::Value>(&first.body).unwrap()["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{}", t!("spec-03-1-id-in-body")));

        let again = format!(r#"{{"voter":"ann","option":{}}}"#, options[1]);
        let second = call(&router, Method::POST, &uri, Some(&again)).await;
        assert!(
            second.status == StatusCode::CONFLICT
                && second.is_problem()
                && second.body.contains(&format!("vote {id}")),
            "{}",
            t!(
                "spec-03-1-conflict",
                id = id,
                status = second.status.to_string(),
                answer = second.body.as_str()
            )
        );

        for (uri, body, what) in [
            (uri.clone(), "{\"voter\":", t!("spec-03-1-bad-json")),
            (uri.clone(), r#"{"voter":"ann"}"#, t!("spec-03-1-no-option")),
            (
                uri.clone(),
                r#"{"voter":"","option":1}"#,
                t!("spec-03-1-empty-voter"),
            ),
            (
                "/polls/9999999/votes".into(),
                r#"{"voter":"ann","option":1}"#,
                t!("spec-03-1-unknown-poll"),
            ),
            (
                "/polls/x/votes".into(),
                r#"{"voter":"ann","option":1}"#,
                t!("spec-03-1-poll-not-number"),
            ),
        ] {
            let answer = call(&router, Method::POST, &uri, Some(body)).await;
            assert!(
                answer.status.is_client_error() && answer.is_problem(),
                "{}",
                t!(
                    "spec-03-1-bad-input",
                    what = what,
                    uri = uri.as_str(),
                    body = body,
                    status = answer.status.to_string(),
                    answer = answer.body.as_str()
                )
            );
        }
    })
    .await;
}
