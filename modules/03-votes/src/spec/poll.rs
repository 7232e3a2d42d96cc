//! Spec of 03.1, on PostgreSQL, each test in a schema of its own.

use super::erased::DynPolls;
use super::{call, together};
use crate::MIGRATOR;
use crate::demo::{finish, vote_routes};
use crate::poll::{Vote, VoteError, create_poll, votes_of};
use axum::http::{Method, StatusCode};
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
            Err(e) => panic!("ann's first vote in poll {poll} must be stored, got the error `{e}`"),
        };
        assert!(
            ann.poll == poll && ann.option == options[0] && ann.voter == "ann",
            "ann voted for option {} in poll {poll}, but the vote returned is {ann:?}",
            options[0]
        );
        assert_eq!(
            votes_of(&pool, poll).await.unwrap(),
            std::slice::from_ref(&ann),
            "the vote returned must be the one stored"
        );

        for (option, what) in [(options[0], "the same option"), (options[1], "another option")] {
            match polls.vote(poll, option, "ann").await {
                Err(VoteError::AlreadyVoted(existing)) => assert_eq!(
                    existing, ann,
                    "a second vote of ann, for {what}, must be AlreadyVoted naming the vote that \
                     counts, unchanged ({ann:?}): ON CONFLICT DO NOTHING, not DO UPDATE"
                ),
                other => panic!(
                    "a second vote of ann in poll {poll}, for {what}, must be refused with \
                     AlreadyVoted naming her vote {}, got {other:?}",
                    ann.id
                ),
            }
        }
        assert_eq!(
            votes_of(&pool, poll).await.unwrap(),
            std::slice::from_ref(&ann),
            "after ann's second and third votes the poll must hold her first vote only, unchanged: \
             ON CONFLICT DO NOTHING, not DO UPDATE (moving a vote is 03.2's, not a duplicate's)"
        );

        let bob = polls.vote(poll, options[2], "bob").await;
        assert!(bob.is_ok(), "bob's vote in the same poll must count, got {bob:?}");
        let elsewhere = polls.vote(other_poll, other_options[1], "ann").await;
        assert!(
            elsewhere.is_ok(),
            "ann's vote in another poll must count: one vote per voter per poll, got {elsewhere:?}"
        );

        for (p, o, what) in [
            (poll, other_options[0], "an option of another poll"),
            (9_999_999, options[0], "a poll that does not exist"),
        ] {
            let answer = polls.vote(p, o, "cy").await;
            assert!(
                matches!(answer, Err(VoteError::UnknownOption { poll: pp, option: oo }) if pp == p && oo == o),
                "a vote for {what} (poll {p}, option {o}) must be UnknownOption {{ poll: {p}, option: {o} }}, \
                 got {answer:?} (the foreign key refuses it with SQLSTATE 23503)"
            );
        }
        assert_eq!(
            votes_of(&pool, poll).await.unwrap().len(),
            2,
            "poll {poll} must hold ann's and bob's votes, no more"
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
                let option = if round % 2 == 0 { options[0] } else { options[i % 3] };
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
                "round {round}: {VOTERS} votes of {voter} at once: {} answered as counted, {} \
                 AlreadyVoted, {} failed{}; {} stored. Exactly one must count and the other {} be \
                 answered AlreadyVoted: INSERT ... ON CONFLICT (poll_id, voter) DO NOTHING, and \
                 when it inserts nothing, read the vote that is there",
                counted.len(),
                duplicates.len(),
                failures.len(),
                failures
                    .first()
                    .map(|f| format!(" (the first with `{f}`)"))
                    .unwrap_or_default(),
                stored.len(),
                VOTERS - 1
            );
            let winner = counted[0];
            assert_eq!(
                stored,
                std::slice::from_ref(winner),
                "round {round}: the vote stored must be the one answered as counted"
            );
            if let Some(other) = duplicates.iter().find(|v| **v != winner) {
                panic!(
                    "round {round}: a duplicate was answered AlreadyVoted naming {other:?}, but the \
                     vote that counts is {winner:?}: name the vote that is stored"
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
            "POST {uri} {body} must answer 201, got {} {}",
            first.status,
            first.body
        );
        let id = serde_json::from_str::<serde_json::Value>(&first.body).unwrap()["id"]
            .as_i64()
            .expect("the vote's id in the 201's body");

        let again = format!(r#"{{"voter":"ann","option":{}}}"#, options[1]);
        let second = call(&router, Method::POST, &uri, Some(&again)).await;
        assert!(
            second.status == StatusCode::CONFLICT
                && second.is_problem()
                && second.body.contains(&format!("vote {id}")),
            "ann's second vote must answer 409 problem+json naming her vote {id}, got {} {}",
            second.status,
            second.body
        );

        for (uri, body, what) in [
            (uri.clone(), "{\"voter\":", "malformed JSON"),
            (
                uri.clone(),
                r#"{"voter":"ann"}"#,
                "a body without the option",
            ),
            (uri.clone(), r#"{"voter":"","option":1}"#, "an empty voter"),
            (
                "/polls/9999999/votes".into(),
                r#"{"voter":"ann","option":1}"#,
                "an unknown poll",
            ),
            (
                "/polls/x/votes".into(),
                r#"{"voter":"ann","option":1}"#,
                "a poll id that is no number",
            ),
        ] {
            let answer = call(&router, Method::POST, &uri, Some(body)).await;
            assert!(
                answer.status.is_client_error() && answer.is_problem(),
                "{what} (POST {uri} {body}) must answer a problem+json 4xx, got {} {}",
                answer.status,
                answer.body
            );
        }
    })
    .await;
}
