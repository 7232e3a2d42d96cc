//! Errors over HTTP as `application/problem+json` (RFC 9457), in one place.
//!
//! Every demo and exercise router answers bad input through [`Problem`], and
//! takes its JSON body and path through [`Json`] and [`Path`], which turn axum's
//! rejections (malformed JSON, a missing content type, a path that does not parse)
//! into a problem with the right 4xx status instead of plain text.

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Problem {
    /// A problem whose title is the status's reason phrase.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: Some(detail.into()),
        }
    }

    /// A problem of a kind this course names, e.g. `out-of-stock`.
    pub fn typed(
        status: StatusCode,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            kind: format!("https://racecourse.dev/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: Some(detail.into()),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, axum::Json(self)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
    }
}

impl From<JsonRejection> for Problem {
    fn from(rejection: JsonRejection) -> Problem {
        Problem::new(rejection.status(), rejection.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(rejection: PathRejection) -> Problem {
        // A path segment that does not parse names no resource: 404 would hide the
        // client's mistake, so say 400 and why.
        Problem::new(StatusCode::BAD_REQUEST, rejection.body_text())
    }
}

/// axum's `Json`, rejecting with a [`Problem`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Json(value))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// axum's `Path`, rejecting with a [`Problem`].
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(value))
    }
}

/// The answer for a route that does not exist, as a problem.
pub async fn no_route() -> Problem {
    Problem::not_found("no such route")
}

/// The answer for a route that exists but not with this method, as a problem.
pub async fn wrong_method() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this route does not take this method",
    )
}

/// A panic in a handler (an exercise's `todo!()`, say) as a 500 problem, so the
/// client sees what is missing instead of a dropped connection.
pub fn panic_as_problem(payload: Box<dyn std::any::Any + Send>) -> Response {
    let message = crate::spec::panic_message(payload);
    Problem::typed(
        StatusCode::INTERNAL_SERVER_ERROR,
        "handler-panicked",
        "The handler panicked",
        message,
    )
    .into_response()
}
