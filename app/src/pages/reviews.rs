//! Reviews: the list with the form that starts one, and one review whose agenda is written from
//! the data: the figures, findings, due verifications (verified in place), new action items,
//! attendees and notes, and closing it with a snapshot.

use crate::api::action_items::{ActionItemRow, MoveActionItem};
use crate::api::analytics::IncidentRef;
use crate::api::reviews::{
    AddReviewItem, CloseReview, ReviewDetail, SaveReviewNotes, StartReview, list_reviews,
    load_review,
};
use crate::components::action_items::{ItemsTable, state_badge};
use crate::components::form::{FormError, field_error, form_error, kept_or};
use crate::components::notice::ErrorNotice;
use crate::components::picker::{Naming, Picker};
use crate::domain::action_item::{ActionState, ActionType, Cadence, Outcome, Priority};
use crate::domain::links::urlencode;
use crate::domain::review::{AgendaSection, ReviewStatus};
use crate::pages::analytics::{
    availability_view, behind, charts_view, classification_view, durations_view, figures_view,
    findings_view, incident_index,
};
use crate::pages::incidents::severity_badge;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let query = use_query_map();
    let before = Memo::new(move |_| query.with(|q| q.get("before").unwrap_or_default()));
    let reviews = Resource::new(move || before.get(), list_reviews);
    let start = ServerAction::<StartReview>::new();
    view! {
        <Title text="Reviews" />
        <header class="page-header">
            <h1>"Reviews"</h1>
            <p class="lede">"Daily stand-ups, weekly and monthly retros and quarterly reviews, each with its agenda written from the data."</p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match reviews.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) => {
                        let q = query.get_untracked();
                        let chosen = q.get("cadence").unwrap_or_else(|| "monthly".into());
                        let period = q.get("period").unwrap_or_default();
                        let period = kept_or::<StartReview>("period", &period);
                        let current = list.current.clone();
                        view! {
                            {list.can_start.then(|| view! {
                                <section class="panel narrow" aria-labelledby="start-heading">
                                    <h2 id="start-heading">"Start a review"</h2>
                                    <ActionForm action=start>
                                        <FormError error=form_error(start, &["cadence", "period"]) />
                                        <div class="field">
                                            <label for="review-cadence">"Cadence"</label>
                                            <select id="review-cadence" name="cadence">
                                                {Cadence::ALL.iter().map(|c| {
                                                    let selected = c.key() == chosen;
                                                    view! { <option value=c.key() selected=selected>{c.label()}</option> }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="review-period">"Period"</label>
                                            <input id="review-period" name="period" value=period
                                                placeholder="Empty for the current one" />
                                            <p class="hint">{format!("Now: {}", current.iter().map(|(c, k)| format!("{} {k}", c.label().to_lowercase())).collect::<Vec<_>>().join(", "))}</p>
                                            {move || field_error(start, "period").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                        </div>
                                        <button type="submit" class="button primary">"Start review"</button>
                                    </ActionForm>
                                </section>
                            })}
                            <section class="panel">
                                {if list.reviews.is_empty() {
                                    view! { <p class="empty">"No reviews yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table class="table reviews">
                                                <thead><tr>
                                                    <th scope="col">"Review"</th><th scope="col">"Cadence"</th>
                                                    <th scope="col">"Status"</th><th scope="col">"Facilitator"</th>
                                                </tr></thead>
                                                <tbody>
                                                    {list.reviews.into_iter().map(|r| view! {
                                                        <tr data-review=r.id.to_string()>
                                                            <td><a href=format!("/reviews/{}", r.id)>{r.period_label.clone()}</a></td>
                                                            <td>{r.cadence.label()}</td>
                                                            <td><span class=format!("badge status {}", r.status.key())>{r.status.label()}</span></td>
                                                            <td>{r.facilitator.clone()}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                {list.next_before.map(|b| view! {
                                    <p class="pager"><a href=format!("/reviews?before={b}")>"Older reviews"</a></p>
                                })}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn incident_list(refs: &[IncidentRef]) -> impl IntoView + use<> {
    if refs.is_empty() {
        return view! { <p class="empty">"None."</p> }.into_any();
    }
    view! {
        <ul class="incident-list">
            {refs.iter().map(|i| view! {
                <li>{i.severity.map(severity_badge)} " "
                    <a href=format!("/incidents/{}", i.id)>{format!("#{} {}", i.id, i.title)}</a></li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The items due for verification, each with a form to verify it there and then.
fn due_view(
    due: Vec<(ActionItemRow, i64)>,
    can_verify: bool,
    moves: ServerAction<MoveActionItem>,
) -> impl IntoView {
    if due.is_empty() {
        return view! { <p class="empty">"Nothing is due for verification."</p> }.into_any();
    }
    view! {
        <FormError error=form_error(moves, &["outcome", "evidence", "evidence_url", "state"]) />
        <ul class="due-items">
            {due.into_iter().map(|(item, version)| {
                let id = item.id;
                let waiting = item.state == ActionState::Done;
                view! {
                    <li data-item=id.to_string()>
                        <a href=format!("/action-items/{id}")>{item.title.clone()}</a>
                        " " {state_badge(item.state)}
                        {item.outcome.map(|o| view! { " " <span class=format!("badge outcome {}", o.key())>{o.label()}</span> })}
                        <span class="muted">{format!(" · {} · due for verification {}", item.owner.clone().unwrap_or_else(|| "nobody".into()), item.verify_on.map(|d| d.to_string()).unwrap_or_default())}</span>
                        {(waiting && can_verify).then(|| {
                            let outcome_id = format!("verify-outcome-{id}");
                            let evidence_id = format!("verify-evidence-{id}");
                            view! {
                                <ActionForm action=moves attr:class="verify-inline">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <input type="hidden" name="version" value=version.to_string() />
                                    <input type="hidden" name="action" value="verify" />
                                    <label for=outcome_id.clone()>"Outcome"</label>
                                    <select id=outcome_id name="outcome">
                                        <option value="">"Choose…"</option>
                                        {Outcome::ALL.iter().map(|o| view! { <option value=o.key()>{o.label()}</option> }).collect_view()}
                                    </select>
                                    <label for=evidence_id.clone()>"Evidence"</label>
                                    <input id=evidence_id name="evidence" placeholder="What showed it worked, or not" />
                                    <button type="submit" class="button small primary">"Verify"</button>
                                </ActionForm>
                            }
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

fn add_item_form(r: &ReviewDetail, add: ServerAction<AddReviewItem>) -> impl IntoView + use<> {
    let kept = |field: &str| kept_or::<AddReviewItem>(field, "");
    let chosen_incident = kept("incident_id");
    let chosen_owner = kept("owner_id");
    let (title, due_on) = (kept("title"), kept("due_on"));
    let review_id = r.id.to_string();
    let cadence = r.cadence.label().to_lowercase();
    let incidents: Vec<(String, String, bool)> = r
        .incident_choices
        .iter()
        .map(|i| {
            (
                i.id.to_string(),
                format!("#{} {}", i.id, i.title),
                chosen_incident == i.id.to_string(),
            )
        })
        .collect();
    view! {
        <ActionForm action=add attr:class="stacked-form add-review-item">
            <h3>"Raise an action item"</h3>
            <p class="hint">{format!("It is verified at the next {cadence} review.")}</p>
            <FormError error=form_error(add, &["incident_id", "title", "owner_id", "due_on", "action_type", "priority"]) />
            <input type="hidden" name="review_id" value=review_id />
            <div class="field">
                <label for="review-item-title">"Title"</label>
                <input id="review-item-title" name="title" required value=title />
                {move || field_error(add, "title").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <div class="field">
                <label for="review-item-incident">"From incident"</label>
                <select id="review-item-incident" name="incident_id">
                    <option value="">"Choose…"</option>
                    {incidents.into_iter().map(|(value, text, selected)| view! {
                        <option value=value selected=selected>{text}</option>
                    }).collect_view()}
                </select>
                {move || field_error(add, "incident_id").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <div class="field">
                <label for="review-item-owner">"Owner"</label>
                <Picker naming=Naming::Person id="review-item-owner".to_string() name="owner_id" value=chosen_owner
                    placeholder="Nobody yet (a proposal)" />
                {move || field_error(add, "owner_id").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <div class="field">
                <label for="review-item-due">"Due"</label>
                <input id="review-item-due" name="due_on" type="date" value=due_on />
                <p class="hint">"With an owner and a due date it is committed; otherwise it stays a proposal."</p>
                {move || field_error(add, "due_on").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <div class="field">
                <label for="review-item-type">"Type"</label>
                <select id="review-item-type" name="action_type">
                    {ActionType::ALL.iter().map(|t| view! { <option value=t.key()>{t.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="review-item-priority">"Priority"</label>
                <select id="review-item-priority" name="priority">
                    {Priority::ALL.iter().map(|p| {
                        let selected = *p == Priority::P2;
                        view! { <option value=p.key() selected=selected>{p.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button primary">"Add item"</button>
        </ActionForm>
    }
}

fn review_view(
    r: ReviewDetail,
    moves: ServerAction<MoveActionItem>,
    add: ServerAction<AddReviewItem>,
    notes: ServerAction<SaveReviewNotes>,
    close: ServerAction<CloseReview>,
) -> impl IntoView {
    let incidents = incident_index(&r.analytics);
    let report = &r.analytics.report;
    let open = r.status == ReviewStatus::Open;
    let editable = open && r.can_run;
    let attendees = kept_or::<SaveReviewNotes>("attendees", &r.attendees);
    let notes_text = kept_or::<SaveReviewNotes>("notes", &r.notes);
    let period_incidents: Vec<IncidentRef> = report
        .figures
        .incident_ids
        .iter()
        .filter_map(|id| incidents.get(id).cloned())
        .collect();
    // The titles come for the first `INCIDENTS_SHOWN` of each list; the rest are counted.
    let all_incidents = report.figures.incident_ids.len();
    let unlisted = all_incidents - period_incidents.len();
    let items_query = Some(match r.analytics.kind {
        Some(kind) => format!(
            "kind={}&period={}",
            kind.key(),
            urlencode(&r.analytics.period_key)
        ),
        None => format!("period={}", urlencode(&r.analytics.period_key)),
    });
    let items = report.figures.items;
    let sections = r
        .sections
        .iter()
        .map(|section| {
            let body = match section {
                AgendaSection::Headline => view! { <p class="headline" role="status">{report.headline.clone()}</p> }.into_any(),
                AgendaSection::Findings => findings_view(report, &incidents).into_any(),
                AgendaSection::Incidents => view! {
                    <p class="hint">{format!("{}: {} incident{}", r.analytics.period_label, all_incidents, if all_incidents == 1 { "" } else { "s" })}</p>
                    {incident_list(&period_incidents)}
                    {(unlisted > 0).then(|| view! { <p class="hint">{format!("and {unlisted} more")}</p> })}
                }.into_any(),
                AgendaSection::OpenIncidents => incident_list(&r.open_incidents).into_any(),
                AgendaSection::NewlyOverdue => if r.newly_overdue.is_empty() {
                    view! { <p class="empty">"Nothing became overdue."</p> }.into_any()
                } else {
                    view! { <ItemsTable items=r.newly_overdue.clone() show_incident=true /> }.into_any()
                },
                AgendaSection::Figures => view! {
                    {figures_view(report, &r.analytics.period_label, items_query.clone(), &incidents)}
                    <details><summary>"Durations and trends"</summary>
                        {durations_view(report, &incidents)}
                        {charts_view(report)}
                    </details>
                }.into_any(),
                AgendaSection::DueForVerification => due_view(r.due_for_verification.clone(), editable, moves).into_any(),
                AgendaSection::SloReview => availability_view(report, &incidents, false).into_any(),
                AgendaSection::Gaps => view! {
                    {classification_view(report, &incidents)}
                    <div class="recurrence">{format!("Known problems: {} of {} incidents.", report.figures.known_problems.len(), report.figures.incident_ids.len())}
                        " " {behind("which".into(), &report.figures.known_problems, &incidents)}</div>
                }.into_any(),
                AgendaSection::TopServices => availability_view(report, &incidents, true).into_any(),
                AgendaSection::RecurringCauses => if r.causes.is_empty() {
                    view! { <p class="empty">"No causes recorded."</p> }.into_any()
                } else {
                    view! {
                        <ul class="causes">
                            {r.causes.iter().map(|(cause, n)| view! { <li>{format!("{cause}: {n}")}</li> }).collect_view()}
                        </ul>
                    }.into_any()
                },
                AgendaSection::FollowThrough => view! {
                    <p>{format!(
                        "{} action items raised, {} committed, {} completed; {} of {} due for verification verified, {} found effective; {} open and {} overdue at the end.",
                        items.created, items.committed, items.completed,
                        items.verification.verified, items.verification.due, items.verification.effective,
                        items.open_at_end, items.overdue_at_end
                    )}</p>
                }.into_any(),
                AgendaSection::NewItems => view! {
                    {if r.raised_here.is_empty() {
                        view! { <p class="empty">"None yet."</p> }.into_any()
                    } else {
                        view! { <ItemsTable items=r.raised_here.clone() show_incident=true /> }.into_any()
                    }}
                    {editable.then(|| add_item_form(&r, add))}
                }.into_any(),
            };
            let heading = format!("agenda-{}", section.key());
            let labelled_by = heading.clone();
            view! {
                <section class="panel agenda" aria-labelledby=labelled_by data-section=section.key()>
                    <h2 id=heading>{section.label()}</h2>
                    {body}
                </section>
            }
        })
        .collect_view();
    let closed = (!open).then(|| view! {
        <section class="panel" aria-labelledby="closed-heading">
            <h2 id="closed-heading">"Closed"</h2>
            <p>{format!("Closed by {}. When it closed: {}", r.closed_by.clone().unwrap_or_default(), r.closed_headline.clone().unwrap_or_default())}</p>
            {if r.changed_since.is_empty() {
                view! { <p class="hint">"The figures are as they were when it closed."</p> }.into_any()
            } else {
                view! {
                    <p>"The data changed since it closed:"</p>
                    <ul class="changed-since">
                        {r.changed_since.iter().map(|(figure, then, now)| view! {
                            <li>{format!("{figure}: {then} then, {now} now")}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    });
    view! {
        <header class="page-header">
            <h1>{format!("{} review: {}", r.cadence.label(), r.period_label)}</h1>
            <p class="lede">
                <span class=format!("badge status {}", r.status.key())>{r.status.label()}</span>
                {format!(" Facilitated by {}. ", r.facilitator)}
                <a href=format!("/reviews?cadence={}&period={}", r.cadence.key(), r.next_period_key)>"Next review"</a>
            </p>
        </header>
        {closed}
        {sections}
        <section class="panel" aria-labelledby="notes-heading">
            <h2 id="notes-heading">"Attendees and notes"</h2>
            {if editable {
                view! {
                    <ActionForm action=notes attr:class="stacked-form">
                        <FormError error=form_error(notes, &["attendees", "notes"]) />
                        <input type="hidden" name="id" value=r.id.to_string() />
                        <input type="hidden" name="version" value=r.version.to_string() />
                        <div class="field">
                            <label for="review-attendees">"Attendees"</label>
                            <input id="review-attendees" name="attendees" value=attendees />
                            {move || field_error(notes, "attendees").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        </div>
                        <div class="field">
                            <label for="review-notes">"Notes (markdown)"</label>
                            <textarea id="review-notes" name="notes" rows="6">{notes_text}</textarea>
                            {move || field_error(notes, "notes").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        </div>
                        <button type="submit" class="button">"Save notes"</button>
                    </ActionForm>
                    <ActionForm action=close attr:class="close-review">
                        <FormError error=form_error(close, &["review"]) />
                        <input type="hidden" name="id" value=r.id.to_string() />
                        <input type="hidden" name="version" value=r.version.to_string() />
                        <button type="submit" class="button primary">"Close review"</button>
                        <span class="hint">" Keeps a snapshot of these figures; notes can no longer change."</span>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <p>{if r.attendees.is_empty() { "No attendees recorded.".to_string() } else { format!("Attendees: {}", r.attendees) }}</p>
                    <div class="markdown" inner_html=r.notes_html.clone()></div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
    });
    let moves = ServerAction::<MoveActionItem>::new();
    let add = ServerAction::<AddReviewItem>::new();
    let notes = ServerAction::<SaveReviewNotes>::new();
    let close = ServerAction::<CloseReview>::new();
    let review = Resource::new(
        move || {
            (
                id.get(),
                moves.version().get(),
                add.version().get(),
                notes.version().get(),
                close.version().get(),
            )
        },
        |(id, ..)| load_review(id),
    );
    view! {
        <Title text="Review" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match review.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(r) => review_view(r, moves, add, notes, close).into_any(),
                }
            })}
        </Suspense>
    }
}
