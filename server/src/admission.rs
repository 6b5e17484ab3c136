//! How many requests are worked on at once. Pages, reports and writes are bound by the cores
//! and the one SQLite writer; working on more of them at once than the machine can run finishes
//! none sooner, and holds each one's memory longer. The rest wait their turn, in arrival order.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http_body_util::LengthLimitError;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Admission(Arc<Semaphore>);

impl Admission {
    /// `at_once` requests are worked on together; at least one.
    pub fn new(at_once: usize) -> Admission {
        Admission(Arc::new(Semaphore::new(at_once.max(1))))
    }

    /// Two per core: while one request waits for the database, another keeps the core busy.
    pub fn for_this_machine() -> Admission {
        Admission::new(2 * app::state::cores())
    }
}

/// Holds the request until it may be worked on; its turn ends when its response is ready.
/// A response that streams (an export) is written after its turn. The body is read before the
/// turn: it arrives at the sender's pace, and a slow sender must hold only its own connection.
pub async fn admit(State(admission): State<Admission>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => Body::from(bytes),
        Err(err) if too_large(&err) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request is larger than allowed.",
            )
                .into_response();
        }
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                "The request's body could not be read.",
            )
                .into_response();
        }
    };
    let _turn = admission
        .0
        .acquire()
        .await
        .expect("the admission semaphore is never closed");
    next.run(Request::from_parts(parts, body)).await
}

/// Whether reading a body failed on the size limit set by `security::limit_body`.
fn too_large(err: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if e.is::<LengthLimitError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::middleware::from_fn_with_state;
    use axum::routing::get;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use tower::ServiceExt;

    #[tokio::test]
    async fn requests_beyond_the_limit_wait_and_all_are_answered() {
        let working = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let handler = {
            let (working, most) = (working.clone(), most.clone());
            move || {
                let (working, most) = (working.clone(), most.clone());
                async move {
                    let now = working.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    working.fetch_sub(1, Ordering::SeqCst);
                    "done"
                }
            }
        };
        let app = Router::new()
            .route("/", get(handler))
            .layer(from_fn_with_state(Admission::new(2), admit));
        let requests = (0..8).map(|_| {
            app.clone()
                .oneshot(Request::get("/").body(Body::empty()).unwrap())
        });
        let answers = futures::future::join_all(requests).await;
        assert!(
            answers
                .iter()
                .all(|a| a.as_ref().unwrap().status().is_success())
        );
        assert_eq!(
            most.load(Ordering::SeqCst),
            2,
            "two at a time, not more, not fewer"
        );
    }

    #[tokio::test]
    async fn a_body_still_arriving_holds_no_turn() {
        let app = Router::new()
            .route(
                "/",
                get(|| async { "done" }).post(|body: String| async move { body }),
            )
            .layer(from_fn_with_state(Admission::new(1), admit));
        let (mut send, arriving) =
            futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
        let slow = tokio::spawn(
            app.clone().oneshot(
                Request::post("/")
                    .body(Body::from_stream(arriving))
                    .unwrap(),
            ),
        );
        use futures::SinkExt;
        send.send(Ok(b"first half, ".to_vec())).await.unwrap();
        let meanwhile = tokio::time::timeout(
            Duration::from_secs(5),
            app.clone()
                .oneshot(Request::get("/").body(Body::empty()).unwrap()),
        )
        .await
        .expect("answered while the other body was still arriving")
        .unwrap();
        assert!(meanwhile.status().is_success());
        send.send(Ok(b"second half".to_vec())).await.unwrap();
        drop(send);
        let answer = slow.await.unwrap().unwrap();
        let body = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&body[..], b"first half, second half");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_as_too_large() {
        let app = Router::new()
            .route("/", axum::routing::post(|body: String| async move { body }))
            .layer(from_fn_with_state(Admission::new(1), admit))
            .layer(axum::middleware::from_fn(crate::security::limit_body));
        let too_big = vec![b'x'; crate::router::BODY_LIMIT + 1];
        let stream = futures::stream::iter([Ok::<_, std::io::Error>(too_big)]);
        let answer = app
            .oneshot(Request::post("/").body(Body::from_stream(stream)).unwrap())
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
