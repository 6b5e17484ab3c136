//! Export and import of the organisation's whole history. Without JavaScript the download is a
//! link and the import a form that answers with a page; with it, both show their progress here.

use crate::api::archive::{ArchiveOverview, imported_sentence, load_archive_overview};
use crate::components::notice::ErrorNotice;
use crate::pages::incidents::thousands;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Where a transfer stands, as the page shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transfer {
    /// What is happening, in words.
    pub status: String,
    /// Done and total, when known, for the progress bar.
    pub done: Option<(f64, f64)>,
    pub running: bool,
    pub outcome: Option<Result<String, String>>,
}

fn holding(o: &ArchiveOverview) -> String {
    format!(
        "{} incidents with {} timeline events, {} action items, {} reviews, {} teams, {} services and {} accounts.",
        thousands(o.incidents),
        thousands(o.timeline_events),
        thousands(o.action_items),
        thousands(o.reviews),
        thousands(o.teams),
        thousands(o.services),
        thousands(o.accounts),
    )
}

#[component]
fn TransferStatus(transfer: RwSignal<Transfer>, label: &'static str) -> impl IntoView {
    view! {
        {move || {
            let t = transfer.get();
            let bar = t.done.map(|(done, total)| view! {
                <progress max=total.max(1.0) value=done aria-label=label></progress>
            });
            let outcome = t.outcome.clone().map(|o| match o {
                Ok(text) => view! { <div class="alert success" role="status">{text}</div> }.into_any(),
                Err(text) => view! { <div class="alert error" role="alert">{text}</div> }.into_any(),
            });
            view! {
                <div class="transfer" data-running=t.running.to_string()>
                    {bar}
                    {(!t.status.is_empty()).then(|| view! { <p class="hint" role="status">{t.status.clone()}</p> })}
                    {outcome}
                </div>
            }
        }}
    }
}

#[component]
pub fn AdminArchivePage() -> impl IntoView {
    let query = use_query_map();
    let overview = Resource::new(|| (), |_| load_archive_overview());
    let export = RwSignal::new(Transfer::default());
    let import = RwSignal::new(Transfer::default());
    let file_input = NodeRef::<leptos::html::Input>::new();

    // What a form post without JavaScript came back with.
    let answered = move || {
        let q = query.get();
        if let Some(message) = q.get("refused") {
            return Some(Err(message));
        }
        let n = |key: &str| q.get(key).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        q.get("imported").map(|_| {
            Ok(imported_sentence(
                n("imported"),
                n("items"),
                n("reviews"),
                n("accounts"),
            ))
        })
    };

    let on_download = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            if export.get_untracked().running {
                ev.prevent_default();
                return;
            }
            ev.prevent_default();
            browser::download(export);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_import = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            if import.get_untracked().running {
                return;
            }
            match file_input
                .get()
                .and_then(|input| input.files())
                .and_then(|f| f.get(0))
            {
                Some(file) => browser::upload(file, import),
                None => import.set(Transfer {
                    outcome: Some(Err("Archive: choose the file to import.".to_string())),
                    ..Transfer::default()
                }),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, file_input);
    };

    view! {
        <Title text="Export and import" />
        <header class="page-header">
            <h1>"Export and import"</h1>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(o) => {
                        let held = o.held.clone();
                        view! {
                            <section class="panel narrow" id="export">
                                <h2>"Export the archive"</h2>
                                <p>
                                    "One JSON document with the organisation's whole history: every incident with its timeline, "
                                    "classification and postmortem, the action items and their verification, reviews, deploys, "
                                    "the change history, teams, services, alert rules and the settings. "
                                    {format!("This instance holds {}", holding(&o))}
                                </p>
                                <p class="hint">
                                    {format!("Format version {}, described in the README. ", o.format_version)}
                                    "Accounts go without their passwords; API tokens, calendar links, sessions and alert secrets stay here."
                                </p>
                                <a class="button primary" href="/admin/archive.json" rel="external" download=""
                                    on:click=on_download>"Download the archive"</a>
                                <TransferStatus transfer=export label="Export progress" />
                            </section>
                            <section class="panel narrow" id="import">
                                <h2>"Import an archive"</h2>
                                <p>
                                    "Brings an archive exported from Hindsight into this instance, all of it or nothing. "
                                    "Incidents, action items and reviews keep their numbers; people are matched by username, "
                                    "and those new here arrive without a password."
                                </p>
                                {(!held.is_empty()).then(|| view! {
                                    <p class="hint">
                                        {format!(
                                            "An archive goes into an instance that holds nothing but accounts; this one already holds {}.",
                                            held.join(", ")
                                        )}
                                    </p>
                                })}
                                {move || answered().map(|o| match o {
                                    Ok(text) => view! { <div class="alert success" role="status">{text}</div> }.into_any(),
                                    Err(text) => view! { <div class="alert error" role="alert">{text}</div> }.into_any(),
                                })}
                                <form method="post" action="/admin/archive/import" enctype="multipart/form-data"
                                    on:submit=on_import>
                                    <div class="field">
                                        <label for="field-archive">"Archive file"</label>
                                        <input id="field-archive" name="archive" type="file"
                                            accept=".json,application/json" required node_ref=file_input />
                                    </div>
                                    <button type="submit" class="button primary">"Import"</button>
                                </form>
                                <TransferStatus transfer=import label="Import progress" />
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The transfers as the browser runs them: the download read as it arrives, counting its
    //! records; the upload sent with its progress, then the server's lines as it writes.

    use super::{Transfer, thousands};
    use crate::api::archive::ImportLine;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen_futures::JsFuture;

    fn megabytes(bytes: f64) -> String {
        format!("{:.1} MB", bytes / 1_000_000.0)
    }

    fn failed(transfer: RwSignal<Transfer>, message: String) {
        transfer.set(Transfer {
            outcome: Some(Err(message)),
            ..Transfer::default()
        });
    }

    /// The number of records the archive's header announces, once its `counts` line has come.
    fn announced(head: &str) -> Option<u64> {
        let line = head.lines().find(|l| l.starts_with("\"counts\": "))?;
        let json = line
            .trim_start_matches("\"counts\": ")
            .trim_end_matches(',');
        let counts: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).ok()?;
        Some(
            counts
                .iter()
                .filter(|(k, _)| k.as_str() != "timeline_events")
                .filter_map(|(_, v)| v.as_u64())
                .sum(),
        )
    }

    pub fn download(transfer: RwSignal<Transfer>) {
        transfer.set(Transfer {
            status: "Starting the export…".to_string(),
            running: true,
            ..Transfer::default()
        });
        leptos::task::spawn_local(async move {
            if let Err(message) = run_download(transfer).await {
                failed(transfer, message);
            }
        });
    }

    async fn run_download(transfer: RwSignal<Transfer>) -> Result<(), String> {
        let window = web_sys::window().ok_or("no window")?;
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str("/admin/archive.json"))
                .await
                .map_err(
                    |_| "The export could not be reached; check the connection and try again.",
                )?
                .unchecked_into();
        if !response.ok() {
            let text = match response.text() {
                Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
                Err(_) => None,
            };
            return Err(
                text.unwrap_or_else(|| format!("The export failed ({}).", response.status()))
            );
        }
        let filename = response
            .headers()
            .get("content-disposition")
            .ok()
            .flatten()
            .and_then(|v| {
                v.split("filename=\"")
                    .nth(1)
                    .map(|s| s.trim_end_matches('"').to_string())
            })
            .unwrap_or_else(|| "hindsight-archive.json".to_string());
        let body = response.body().ok_or("The export came back empty.")?;
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        let parts = js_sys::Array::new();
        let mut head = String::new();
        let mut total: Option<u64> = None;
        let mut records: u64 = 0;
        let mut bytes = 0f64;
        // Records are written one per line, each starting a line with `{`.
        let mut at_line_start = false;
        loop {
            let step = JsFuture::from(reader.read())
                .await
                .map_err(|_| "The export stopped before it was complete; try again.")?;
            let done = js_sys::Reflect::get(&step, &"done".into())
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if done {
                break;
            }
            let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&step, &"value".into())
                .map_err(|_| "The export could not be read.")?
                .unchecked_into();
            parts.push(&chunk);
            let data = chunk.to_vec();
            bytes += data.len() as f64;
            if total.is_none() {
                head.push_str(&String::from_utf8_lossy(&data));
                total = announced(&head);
            }
            for &b in &data {
                if at_line_start && b == b'{' {
                    records += 1;
                }
                at_line_start = b == b'\n';
            }
            transfer.set(Transfer {
                status: match total {
                    Some(total) => format!(
                        "Downloading: {} of {} records ({}).",
                        thousands(records.min(total)),
                        thousands(total),
                        megabytes(bytes)
                    ),
                    None => format!("Downloading: {}.", megabytes(bytes)),
                },
                done: total.map(|t| (records.min(t) as f64, t as f64)),
                running: true,
                outcome: None,
            });
        }
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|_| "The archive could not be assembled.")?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)
            .map_err(|_| "The archive could not be saved.")?;
        let document = window.document().ok_or("no document")?;
        let link: web_sys::HtmlAnchorElement = document
            .create_element("a")
            .map_err(|_| "The archive could not be saved.")?
            .unchecked_into();
        link.set_href(&url);
        link.set_download(&filename);
        link.click();
        let _ = web_sys::Url::revoke_object_url(&url);
        transfer.set(Transfer {
            done: total.map(|t| (t as f64, t as f64)),
            outcome: Some(Ok(format!(
                "Saved {filename}: {} records, {}.",
                thousands(records),
                megabytes(bytes)
            ))),
            ..Transfer::default()
        });
        Ok(())
    }

    pub fn upload(file: web_sys::File, transfer: RwSignal<Transfer>) {
        let size = file.size();
        transfer.set(Transfer {
            status: format!("Uploading {}…", megabytes(size)),
            done: Some((0.0, size)),
            running: true,
            outcome: None,
        });
        let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
            failed(transfer, "This browser cannot send the file.".to_string());
            return;
        };
        if xhr.open("POST", "/admin/archive/import").is_err() {
            failed(transfer, "The import could not be started.".to_string());
            return;
        }
        let _ = xhr.set_request_header("Accept", "application/x-ndjson");
        let _ = xhr.set_request_header("Content-Type", "application/json");

        if let Ok(upload) = xhr.upload() {
            let sending = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |e: web_sys::ProgressEvent| {
                    let total = if e.length_computable() {
                        e.total()
                    } else {
                        size
                    };
                    transfer.set(Transfer {
                        status: format!(
                            "Uploading: {} of {}.",
                            megabytes(e.loaded()),
                            megabytes(total)
                        ),
                        done: Some((e.loaded(), total)),
                        running: true,
                        outcome: None,
                    });
                },
            );
            upload.set_onprogress(Some(sending.as_ref().unchecked_ref()));
            sending.forget();
            let sent = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |_| {
                transfer.update(|t| t.status = "Uploaded; reading the archive…".to_string());
            });
            upload.set_onload(Some(sent.as_ref().unchecked_ref()));
            sent.forget();
        }

        // The answer grows by one line per batch written; the last line says how it ended.
        let read = {
            let xhr = xhr.clone();
            move |finished: bool| {
                let text = xhr.response_text().ok().flatten().unwrap_or_default();
                let status = xhr.status().unwrap_or(0);
                if finished && status != 200 {
                    let message = if text.trim().is_empty() {
                        format!("The import failed ({status}).")
                    } else {
                        text
                    };
                    failed(transfer, message);
                    return;
                }
                let complete = if finished {
                    text.as_str()
                } else {
                    text.rsplit_once('\n').map_or("", |(c, _)| c)
                };
                let last = complete
                    .lines()
                    .rev()
                    .find_map(|l| serde_json::from_str::<ImportLine>(l).ok());
                match last {
                    Some(ImportLine::Progress { done, total }) => transfer.set(Transfer {
                        status: format!(
                            "Writing: {} of {} records.",
                            thousands(done),
                            thousands(total)
                        ),
                        done: Some((done as f64, total as f64)),
                        running: !finished,
                        outcome: finished.then(|| {
                            Err(
                                "The import stopped before it finished; nothing was written."
                                    .to_string(),
                            )
                        }),
                    }),
                    Some(ImportLine::Imported(summary)) => transfer.set(Transfer {
                        done: Some((1.0, 1.0)),
                        outcome: Some(Ok(summary.sentence())),
                        ..Transfer::default()
                    }),
                    Some(ImportLine::Refused { message }) => failed(transfer, message),
                    None if finished => failed(
                        transfer,
                        "The import ended without an answer; nothing was written.".to_string(),
                    ),
                    None => transfer.update(|t| t.status = "Reading the archive…".to_string()),
                }
            }
        };
        let progress = {
            let read = read.clone();
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |_| read(false))
        };
        xhr.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        progress.forget();
        let finished = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |_| read(true));
        xhr.set_onloadend(Some(finished.as_ref().unchecked_ref()));
        finished.forget();

        if xhr.send_with_opt_blob(Some(&file)).is_err() {
            failed(transfer, "The file could not be sent.".to_string());
        }
    }
}
