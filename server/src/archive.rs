//! The organisation's archive over HTTP and on the command line: an admin downloads it as it is
//! written, and uploads one into an empty instance, watching its progress on the page (answered
//! as lines of JSON) or, without JavaScript, waiting for the page that says how it went.

use crate::exports::signed_in;
use app::api::archive::{ImportLine as Line, ImportedSummary};
use app::domain::Role;
use app::domain::links::urlencode;
use app::error::AppError;
use app::services::archive::{self, Imported, Progress};
use app::state::{AppState, Db};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use futures::StreamExt;
use http::{StatusCode, Uri, header};
use std::path::Path;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tower_sessions::Session;

pub const IMPORT_PATH: &str = "/admin/archive/import";

/// The largest archive an upload may carry; larger ones are imported with `hindsight import`.
pub const UPLOAD_LIMIT: usize = 512 * 1024 * 1024;

/// How the page asks for progress as it happens instead of a page at the end.
pub const PROGRESS_TYPE: &str = "application/x-ndjson";

fn refused(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

fn refused_by(err: AppError) -> Response {
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    refused(status, err.to_string())
}

/// `/admin/archive.json`: the whole archive, streamed as it is read; admins only.
pub async fn download(State(state): State<AppState>, session: Session, uri: Uri) -> Response {
    let user = match signed_in(&state, &session, &uri).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    if let Err(err) = user.require(Role::Admin) {
        return refused_by(err);
    }
    let now = state.clock.now();
    let (to, from) = mpsc::channel::<String>(8);
    let (failed_to, failed) = tokio::sync::oneshot::channel::<()>();
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(err) = archive::export(db.read(), now, to).await {
            tracing::warn!(?err, "the archive download stopped");
            let _ = failed_to.send(());
        }
    });
    tracing::info!(user = %user.username, "archive download started");
    // A failed export ends the body with an error, so that the browser reports the download
    // as failed instead of saving half a document.
    let chunks = stream_of(from)
        .map(Ok::<_, std::io::Error>)
        .chain(futures::stream::once(async move {
            // The sender is dropped without a word when the export succeeded.
            match failed.await {
                Ok(()) => Err(std::io::Error::other("the archive could not be read")),
                Err(_) => Ok(String::new()),
            }
        }));
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"hindsight-archive-{}.json\"",
                    now.format("%Y-%m-%d")
                ),
            ),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

/// What arrives on a channel, as a stream for a response body.
fn stream_of<T: Send + 'static>(
    mut from: mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> + Send {
    futures::stream::poll_fn(move |cx| from.poll_recv(cx))
}

fn summary(imported: &Imported) -> ImportedSummary {
    ImportedSummary {
        incidents: imported.counts.incidents,
        action_items: imported.counts.action_items,
        reviews: imported.counts.reviews,
        accounts_created: imported.accounts_created.clone(),
    }
}

fn line(l: &Line) -> String {
    let mut text = serde_json::to_string(l).unwrap_or_default();
    text.push('\n');
    text
}

/// `POST /admin/archive/import`: the archive as the request body (from the page's script) or
/// as the `archive` file of a form (without JavaScript); admins only.
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    uri: Uri,
    request: Request,
) -> Response {
    let user = match signed_in(&state, &session, &uri).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    if let Err(err) = user.require(Role::Admin) {
        return refused_by(err);
    }
    let wants_progress = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(PROGRESS_TYPE));
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let text = if is_form {
        match file_of_form(request, &state).await {
            Ok(text) => text,
            Err(message) => return to_page(Err(message)),
        }
    } else {
        match Bytes::from_request(request, &state).await {
            Ok(bytes) => bytes,
            Err(rejection) => {
                return refused(
                    rejection.status(),
                    format!("The archive could not be received: {rejection}"),
                );
            }
        }
    };
    tracing::info!(user = %user.username, bytes = text.len(), "archive import started");
    let archive = match archive::parse(&text) {
        Ok(archive) => archive,
        Err(err) if wants_progress => {
            return progress_answer(futures::stream::once(async move {
                line(&Line::Refused {
                    message: err.to_string(),
                })
            }));
        }
        Err(err) => return to_page(Err(err.to_string())),
    };
    drop(text);
    let db = state.db.clone();
    if !wants_progress {
        let result = archive::import(db.write(), archive, &mut |_| {}).await;
        return to_page(result.map_err(|e| e.to_string()));
    }
    let (to, from) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let progress_to = to.clone();
        let mut report = move |p: Progress| {
            let _ = progress_to.send(line(&Line::Progress {
                done: p.done,
                total: p.total,
            }));
        };
        let last = match archive::import(db.write(), archive, &mut report).await {
            Ok(imported) => Line::Imported(summary(&imported)),
            Err(err) => Line::Refused {
                message: err.to_string(),
            },
        };
        let _ = to.send(line(&last));
    });
    progress_answer(futures::stream::poll_fn({
        let mut from = from;
        move |cx| from.poll_recv(cx)
    }))
}

fn progress_answer(lines: impl futures::Stream<Item = String> + Send + 'static) -> Response {
    (
        [
            (header::CONTENT_TYPE, PROGRESS_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(lines.map(Ok::<_, std::io::Error>)),
    )
        .into_response()
}

async fn file_of_form(request: Request, state: &AppState) -> Result<Bytes, String> {
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|e| format!("The upload could not be read: {e}"))?;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| format!("The upload could not be read: {e}"))?
    {
        if field.name() == Some("archive") {
            let bytes = field
                .bytes()
                .await
                .map_err(|e| format!("The upload could not be read: {e}"))?;
            if bytes.is_empty() {
                break;
            }
            return Ok(bytes);
        }
    }
    Err("Archive: choose the file to import.".to_string())
}

/// The page that says how an import went, for a browser without JavaScript.
fn to_page(result: Result<Imported, String>) -> Response {
    let target = match result {
        Ok(imported) => {
            let summary = summary(&imported);
            format!(
                "/admin/archive?imported={}&items={}&reviews={}&accounts={}",
                summary.incidents,
                summary.action_items,
                summary.reviews,
                summary.accounts_created.len()
            )
        }
        Err(message) => format!("/admin/archive?refused={}", urlencode(&message)),
    };
    Redirect::to(&target).into_response()
}

// ---------------------------------------------------------------------------------------------
// Command line

/// `hindsight export --to FILE`: the archive into a new file.
pub async fn export_to_file(db: &Db, to: &Path) -> anyhow::Result<archive::Counts> {
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .await
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", to.display()))?;
    let (tx, mut rx) = mpsc::channel::<String>(8);
    let reader = db.read().clone();
    let writing =
        tokio::spawn(async move { archive::export(&reader, chrono::Utc::now(), tx).await });
    while let Some(chunk) = rx.recv().await {
        file.write_all(chunk.as_bytes()).await?;
    }
    file.flush().await?;
    let counts = writing
        .await?
        .map_err(|e| anyhow::anyhow!("the export failed: {e}"))?;
    Ok(counts)
}

/// `hindsight import --from FILE`: an archive into this (empty) instance, with a progress line
/// on a terminal.
pub async fn import_file(db: &Db, from: &Path) -> anyhow::Result<Imported> {
    use std::io::{IsTerminal, Write};
    let text = tokio::fs::read(from)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", from.display()))?;
    let archive = archive::parse(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(text);
    let terminal = std::io::stderr().is_terminal();
    let mut report = |p: Progress| {
        if terminal {
            eprint!("\r{} of {} records written ", p.done, p.total);
            let _ = std::io::stderr().flush();
        }
    };
    let imported = archive::import(db.write(), archive, &mut report)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if terminal {
        eprintln!();
    }
    Ok(imported)
}
