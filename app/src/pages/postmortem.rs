//! An incident's postmortem: the editor with Write and Preview tabs and a live blameless-language
//! lint (the same code the server runs on save), conflict resolution that keeps what was typed,
//! and the review workflow.

use crate::api::postmortems::{
    PostmortemConflict, PostmortemDto, ReviewPostmortem, SavePostmortem, compare_postmortem,
    load_postmortem,
};
use crate::components::form::{FormError, field_error, form_error};
use crate::components::notice::ErrorNotice;
use crate::domain::blameless::{self, Warning};
use crate::domain::history::DiffLine;
use crate::domain::markdown;
use crate::domain::postmortem::{PostmortemStatus, ReviewMove};
use crate::error::AppError;
use crate::pages::incidents::{IncidentTabs, incident_id, incident_resource, severity_badge};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PostmortemPage() -> impl IntoView {
    let id = incident_id();
    let review = ServerAction::<ReviewPostmortem>::new();
    // Bumped by each successful save, so the review panel offers the moves that now apply.
    let saved = RwSignal::new(0u32);
    let incident = incident_resource(id, || 0);
    let postmortem = Resource::new(
        move || (id.get(), review.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_postmortem(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let panel = Resource::new(
        move || (id.get(), review.version().get(), saved.get()),
        |(id, ..)| async move {
            match id {
                Some(id) => load_postmortem(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (incident.await, postmortem.await) {
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                    (Ok(incident), Ok(postmortem)) => view! {
                        <Title text=format!("Postmortem: {}", incident.title) />
                        <header class="page-header">
                            <p>{severity_badge(incident.severity)} " " <span class="muted">{format!("#{}", incident.id)}</span></p>
                            <h1>{incident.title.clone()}</h1>
                        </header>
                        <IncidentTabs id=incident.id current="postmortem" />
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                panel.await.ok().map(|postmortem| view! { <ReviewPanel postmortem action=review /> })
                            })}
                        </Transition>
                        {if postmortem.can_edit {
                            view! { <Editor postmortem saved /> }.into_any()
                        } else {
                            view! { <ReadOnly postmortem /> }.into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Where the postmortem is in review, and the moves the viewer may make.
#[component]
fn ReviewPanel(postmortem: PostmortemDto, action: ServerAction<ReviewPostmortem>) -> impl IntoView {
    let status = postmortem.status;
    let id = postmortem.incident_id;
    view! {
        <section class="panel review" aria-label="Review">
            <p>
                <span class=format!("badge status {}", status.key())>{status.label()}</span>
                {postmortem.published.clone().map(|at| format!(
                    " Published by {} at {}.",
                    postmortem.published_by.clone().unwrap_or_default(),
                    at.text
                ))}
                {postmortem.updated.clone().map(|at| format!(
                    " Last saved by {} at {}.",
                    postmortem.updated_by.clone().unwrap_or_default(),
                    at.text
                ))}
            </p>
            {(status == PostmortemStatus::Draft).then(|| postmortem.reopen_reason.clone().map(|reason| view! {
                <p class="hint">{format!("Reopened: {reason}")}</p>
            }))}
            {(status == PostmortemStatus::Published).then(|| postmortem.no_action_reason.clone().map(|reason| view! {
                <p class="hint">{format!("Published without action items: {reason}")}</p>
            }))}
            {(postmortem.committed_items == 0 && postmortem.moves.contains(&ReviewMove::Publish)).then(|| view! {
                <p class="hint">
                    "No action item is committed yet. Commit one on the "
                    <a href=format!("/incidents/{id}#action-items")>"incident page"</a>
                    ", or say below why none is needed."
                </p>
            })}
            <FormError error=form_error(action, &["reason"]) />
            <div class="review-moves">
                {postmortem.moves.iter().map(|&m| {
                    let needs_reason = m == ReviewMove::Reopen;
                    let needs_why_none = m == ReviewMove::Publish && postmortem.committed_items == 0;
                    view! {
                        <ActionForm action attr:class="inline-form">
                            <input type="hidden" name="incident_id" value=id.to_string() />
                            <input type="hidden" name="action" value=m.key() />
                            {needs_reason.then(|| view! {
                                <label for="reopen-reason">"Reason"</label>
                                <input id="reopen-reason" name="reason" required
                                    aria-invalid=move || field_error(action, "reason").with(Option::is_some).then_some("true") />
                            })}
                            {needs_why_none.then(|| view! {
                                <label for="publish-reason">"Why no action item is needed"</label>
                                <input id="publish-reason" name="reason" required
                                    aria-invalid=move || field_error(action, "reason").with(Option::is_some).then_some("true") />
                            })}
                            <button type="submit" class=if m == ReviewMove::Publish { "button primary" } else { "button" }>{m.label()}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </div>
            {move || field_error(action, "reason").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </section>
    }
}

#[component]
fn ReadOnly(postmortem: PostmortemDto) -> impl IntoView {
    let warnings = blameless::lint(&postmortem.body);
    view! {
        <section class="panel">
            <article class="markdown" inner_html=postmortem.body_html></article>
        </section>
        <LintList warnings=Signal::derive(move || warnings.clone()) on_pick=None />
    }
}

/// The warnings with their lines; picking one selects the phrase in the editor.
#[component]
fn LintList(
    #[prop(into)] warnings: Signal<Vec<Warning>>,
    on_pick: Option<Callback<Warning>>,
) -> impl IntoView {
    view! {
        <section class="panel lint" aria-live="polite">
            {move || {
                let warnings = warnings.get();
                let count = warnings.len();
                view! {
                    <h2>{match count {
                        0 => "No blameless-language warnings".to_string(),
                        1 => "1 blameless-language warning".to_string(),
                        n => format!("{n} blameless-language warnings"),
                    }}</h2>
                    {(count > 0).then(|| view! {
                        <p class="hint">"Warnings only: they never stop a save. Describe what the system allowed, not who slipped."</p>
                    })}
                    <ul class="warnings">
                        {warnings.into_iter().map(|w| {
                            let text = format!("Line {}: “{}”. ", w.line, w.phrase);
                            let picked = w.clone();
                            view! {
                                <li class="warning">
                                    {match on_pick {
                                        Some(pick) => view! {
                                            <button type="button" class="link" on:click=move |_| pick.run(picked.clone())>{text}</button>
                                        }.into_any(),
                                        None => view! { <strong>{text}</strong> }.into_any(),
                                    }}
                                    {w.suggestion}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            }}
        </section>
    }
}

/// The character range of a warning's phrase in `text`.
fn phrase_range(text: &str, warning: &Warning) -> Option<(u32, u32)> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(warning.line - 1)
        .map(|l| l.encode_utf16().count())
        .sum();
    let line = text.split('\n').nth(warning.line - 1)?;
    let column: usize = line
        .chars()
        .take(warning.column - 1)
        .map(char::len_utf16)
        .sum();
    let start = (line_start + column) as u32;
    Some((start, start + warning.phrase.encode_utf16().count() as u32))
}

#[component]
fn Editor(postmortem: PostmortemDto, saved: RwSignal<u32>) -> impl IntoView {
    let incident_id = postmortem.incident_id;
    let save = ServerAction::<SavePostmortem>::new();
    let text = RwSignal::new(postmortem.body.clone());
    let version = RwSignal::new(postmortem.version);
    let preview = RwSignal::new(false);
    let conflict = RwSignal::new(None::<PostmortemConflict>);
    let saved_text = RwSignal::new(postmortem.body.clone());
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let warnings = Memo::new(move |_| text.with(|t| blameless::lint(t)));
    let unsaved = Memo::new(move |_| text.with(|t| saved_text.with(|s| t != s)));

    // A successful save moves the base version on; a conflict fetches the text it collided with.
    Effect::new(move |_| match save.value().get() {
        Some(Ok(stored)) => {
            version.set(stored.version);
            saved_text.set(stored.body);
            conflict.set(None);
            saved.update(|n| *n += 1);
        }
        Some(Err(AppError::Conflict { .. })) => {
            let mine = text.get_untracked();
            leptos::task::spawn_local(async move {
                if let Ok(found) = compare_postmortem(incident_id, mine).await {
                    conflict.set(Some(found));
                }
            });
        }
        _ => {}
    });

    let pick = Callback::new(move |w: Warning| {
        preview.set(false);
        if let (Some(area), Some((start, end))) =
            (textarea.get(), text.with(|t| phrase_range(t, &w)))
        {
            let _ = area.focus();
            let _ = area.set_selection_range(start, end);
        }
    });
    let too_big = move || text.with(|t| markdown::check_size(t).err());

    view! {
        <section class="panel editor">
            <div class="tabs" role="tablist" aria-label="Editor">
                <button type="button" role="tab" class="tab" class:current=move || !preview.get()
                    aria-selected=move || (!preview.get()).to_string() on:click=move |_| preview.set(false)>"Write"</button>
                <button type="button" role="tab" class="tab" class:current=move || preview.get()
                    aria-selected=move || preview.get().to_string() on:click=move |_| preview.set(true)>"Preview"</button>
            </div>
            <ActionForm action=save attr:class="postmortem-form">
                <input type="hidden" name="incident_id" value=incident_id.to_string() />
                <input type="hidden" name="version" prop:value=move || version.get().to_string() value=postmortem.version.to_string() />
                <FormError error=Signal::derive(move || match save.value().get() {
                    Some(Err(AppError::Conflict { .. })) => None,
                    _ => form_error(save, &["body"]).get(),
                }) />
                <div class="field" class:hidden=move || preview.get()>
                    <label for="postmortem-body" class="visually-hidden">"Postmortem (markdown)"</label>
                    <textarea id="postmortem-body" name="body" rows="24" node_ref=textarea
                        aria-invalid=move || field_error(save, "body").with(Option::is_some).then_some("true")
                        on:input=move |ev| text.set(event_target_value(&ev))
                        prop:value=move || text.get()>{postmortem.body.clone()}</textarea>
                    {move || field_error(save, "body").get().or_else(too_big).map(|m| view! {
                        <p class="field-error" role="alert">{m}</p>
                    })}
                </div>
                <Show when=move || preview.get()>
                    <article class="markdown preview" aria-label="Preview"
                        inner_html=move || text.with(|t| markdown::render(t))></article>
                </Show>
                <p class="form-actions">
                    <button type="submit" class="button primary">"Save"</button>
                    " "
                    <span class="muted" aria-live="polite">{move || {
                        if save.pending().get() {
                            "Saving…".to_string()
                        } else if unsaved.get() {
                            "Unsaved changes".to_string()
                        } else {
                            format!("Saved (version {})", version.get())
                        }
                    }}</span>
                </p>
            </ActionForm>
        </section>
        {move || conflict.get().map(|found| view! { <ConflictPanel found text version conflict /> })}
        <LintList warnings=warnings on_pick=Some(pick) />
    }
}

/// Someone saved first: their text beside this person's, which stays in the editor.
#[component]
fn ConflictPanel(
    found: PostmortemConflict,
    text: RwSignal<String>,
    version: RwSignal<i64>,
    conflict: RwSignal<Option<PostmortemConflict>>,
) -> impl IntoView {
    let current = found.current.clone();
    let theirs = current.body.clone();
    let their_version = current.version;
    view! {
        <section class="panel conflict" role="alert" aria-labelledby="conflict-heading">
            <h2 id="conflict-heading">"Someone else saved this postmortem while you were editing"</h2>
            <p>{format!(
                "Version {} was saved by {}{}. Your text is still in the editor, unsaved. Compare, then keep yours or take theirs.",
                their_version,
                current.updated_by.clone().unwrap_or_else(|| "someone".into()),
                current.updated.clone().map(|t| format!(" at {}", t.text)).unwrap_or_default(),
            )}</p>
            <div class="columns">
                <div>
                    <h3>"Their saved version"</h3>
                    <pre class="conflict-text" data-side="theirs">{theirs.clone()}</pre>
                </div>
                <div>
                    <h3>"How yours differs"</h3>
                    <DiffView lines=found.diff.clone() />
                </div>
            </div>
            <p class="form-actions">
                <button type="button" class="button primary" on:click=move |_| {
                    version.set(their_version);
                    conflict.set(None);
                }>{format!("Keep mine (then Save over version {their_version})")}</button>
                " "
                <button type="button" class="button" on:click=move |_| {
                    text.set(theirs.clone());
                    version.set(their_version);
                    conflict.set(None);
                }>"Take theirs"</button>
            </p>
        </section>
    }
}

/// A line diff: removed lines struck through, added ones marked, unchanged ones plain.
#[component]
pub fn DiffView(lines: Vec<DiffLine>) -> impl IntoView {
    view! {
        <div class="diff" role="table" aria-label="Changes">
            {lines.into_iter().map(|line| match line {
                DiffLine::Same(t) => view! { <div class="diff-line same" role="row"><span class="sign" aria-hidden="true">" "</span><span>{t}</span></div> }.into_any(),
                DiffLine::Removed(t) => view! { <div class="diff-line removed" role="row"><span class="sign">"−"</span><del>{t}</del></div> }.into_any(),
                DiffLine::Added(t) => view! { <div class="diff-line added" role="row"><span class="sign">"+"</span><ins>{t}</ins></div> }.into_any(),
                DiffLine::Skipped(n) => view! { <div class="diff-line skipped" role="row">{format!("… {n} unchanged line{} …", if n == 1 { "" } else { "s" })}</div> }.into_any(),
            }).collect_view()}
        </div>
    }
}
