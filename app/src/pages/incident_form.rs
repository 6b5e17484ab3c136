//! Recording a new incident and changing one: every field on one form, times in the viewer's
//! zone, each complaint next to its field, and nothing typed lost when a save is refused.

use crate::api::incidents::{IncidentForm, IncidentFormValues, SaveIncident, load_incident_form};
use crate::components::form::{
    Field, FieldError, FormError, field_error, form_error, kept_inputs, kept_or,
};
use crate::components::notice::ErrorNotice;
use crate::domain::incident::{CauseCategory, DetectionSource, RunbookOutcome, Severity};
use crate::domain::timeline::KeyMoment;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const FIELDS: &[&str] = &[
    "title",
    "summary",
    "severity",
    "services",
    "impact_description",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "detected_by",
    "monitoring_should_have_caught",
    "known_problem",
    "repeats",
    "runbook_outcome",
    "cause_category",
    "tags",
];

#[component]
pub fn NewIncidentPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| load_incident_form(None));
    view! {
        <Title text="Record an incident" />
        <header class="page-header">
            <h1>"Record an incident"</h1>
            <p class="lede">"What happened and when. The timeline and the write-up come next."</p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(form) => view! { <IncidentFormView form /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn EditIncidentPage() -> impl IntoView {
    let params = use_params_map();
    let form = Resource::new(
        move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => load_incident_form(Some(id)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Change incident" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(form) => view! {
                        <header class="page-header">
                            <p class="muted">{format!("#{}", form.id.unwrap_or_default())}</p>
                            <h1>{format!("Change “{}”", form.values.title)}</h1>
                        </header>
                        <IncidentFormView form />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A `<select>` of `choices` with a "not set" first option.
fn choice_select<T: Copy + 'static>(
    name: &'static str,
    label: &'static str,
    choices: &'static [T],
    key: fn(T) -> &'static str,
    text: fn(T) -> &'static str,
    chosen: String,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-invalid=move || error.with(Option::is_some).then_some("true")>
                <option value="" selected=chosen.is_empty()>"Not set"</option>
                {choices.iter().map(|&c| {
                    let k = key(c);
                    view! { <option value=k selected=chosen == k>{text(c)}</option> }
                }).collect_view()}
            </select>
            <FieldError error id=error_id />
        </div>
    }
}

/// Two or three radio buttons for a yes/no question that may be left unanswered.
fn answer_radios(
    name: &'static str,
    legend: &'static str,
    options: [(&'static str, &'static str); 2],
    chosen: String,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <fieldset class="field choices" class:invalid=move || error.with(Option::is_some)>
            <legend>{legend}</legend>
            {options.into_iter().map(|(value, text)| {
                let id = format!("field-{name}-{value}");
                let for_id = id.clone();
                view! {
                    <label class="choice" for=for_id>
                        <input type="radio" id=id name=name value=value checked=chosen == value />
                        {text}
                    </label>
                }
            }).collect_view()}
            <label class="choice" for=format!("field-{name}-unset")>
                <input type="radio" id=format!("field-{name}-unset") name=name value="" checked=chosen.is_empty() />
                "Not known yet"
            </label>
            <FieldError error id=format!("field-{name}-error") />
        </fieldset>
    }
}

/// The form's values with their labels, in form order, for comparing two versions.
fn labelled(v: &IncidentFormValues) -> Vec<(&'static str, String)> {
    vec![
        ("Title", v.title.clone()),
        ("Summary", v.summary.clone()),
        ("Severity", v.severity.to_uppercase()),
        ("Affected services", v.services.join(", ")),
        (
            "Customers were affected",
            if v.customer_impact {
                "yes".into()
            } else {
                "no".into()
            },
        ),
        ("Customer impact", v.impact_description.clone()),
        ("Impact started", v.started_at.replace('T', " ")),
        ("Detected", v.detected_at.replace('T', " ")),
        ("Acknowledged", v.acknowledged_at.replace('T', " ")),
        ("Mitigated", v.mitigated_at.replace('T', " ")),
        ("Resolved", v.resolved_at.replace('T', " ")),
        ("Detected by", v.detected_by.clone()),
        (
            "Should monitoring have caught it",
            v.monitoring_should_have_caught.clone(),
        ),
        ("Known problem", v.known_problem.clone()),
        ("Repeats", v.repeats.clone()),
        ("Runbook", v.runbook_outcome.clone()),
        ("Cause", v.cause_category.clone()),
        ("Tags", v.tags.clone()),
    ]
}

/// What someone else saved since this form was opened, next to the form that keeps one's own.
#[component]
fn IncidentConflict(
    base: IncidentFormValues,
    current: IncidentForm,
    version: RwSignal<i64>,
) -> impl IntoView {
    let changed: Vec<(&'static str, String, String)> = labelled(&base)
        .into_iter()
        .zip(labelled(&current.values))
        .filter(|(b, c)| b.1 != c.1)
        .map(|(b, c)| (b.0, b.1, c.1))
        .collect();
    let their_version = current.version;
    view! {
        <section class="panel conflict" role="alert">
            <h2>"Someone else changed this incident while you were editing"</h2>
            <p>"Your changes are still in the form below. Since you opened it, they changed:"</p>
            <dl class="changes">
                {changed.into_iter().map(|(label, before, after)| view! {
                    <dt>{label}</dt>
                    <dd><del>{before}</del>" → "<ins>{after}</ins></dd>
                }).collect_view()}
            </dl>
            <button type="button" class="button" on:click=move |_| version.set(their_version)>
                {format!("Keep mine (then Save over version {their_version})")}
            </button>
        </section>
    }
}

#[component]
fn IncidentFormView(form: IncidentForm) -> impl IntoView {
    let action = ServerAction::<SaveIncident>::new();
    let version = RwSignal::new(form.version);
    let current = RwSignal::new(None::<IncidentForm>);
    let incident_id = form.id;
    Effect::new(move |_| {
        if let (Some(Err(AppError::Conflict { .. })), Some(id)) =
            (action.value().get(), incident_id)
        {
            leptos::task::spawn_local(async move {
                if let Ok(found) = load_incident_form(Some(id)).await {
                    current.set(Some(found));
                }
            });
        }
    });
    let base = form.values.clone();
    let v = form.values.clone();
    let kept = |field: &str, value: &str| kept_or::<SaveIncident>(field, value);
    let chosen_services = kept_inputs::<SaveIncident>("services[]").unwrap_or(v.services.clone());
    let customer_impact = kept_inputs::<SaveIncident>("customer_impact")
        .map(|values| !values.is_empty())
        .unwrap_or(v.customer_impact);
    let severity = kept("severity", &v.severity);
    let marked = form.marked.clone();
    let time_zone = form.time_zone.clone();
    let time_field = move |name: &'static str, label: &'static str, value: &str, required: bool| {
        let moment = KeyMoment::ALL.iter().copied().find(|m| m.field() == name);
        let set_by = moment.and_then(|m| {
            marked
                .iter()
                .find(|(k, _)| *k == m)
                .map(|(_, text)| text.clone())
        });
        let value = kept(name, value);
        match set_by {
            Some(event) => view! {
                <div class="field">
                    <label for=format!("field-{name}")>{label}</label>
                    <p class="hint" id=format!("field-{name}-hint")>{format!("Set by the timeline event “{event}”.")}</p>
                    <input id=format!("field-{name}") type="datetime-local" step="1" name=name value=value readonly
                        aria-describedby=format!("field-{name}-hint") />
                </div>
            }.into_any(),
            None => view! {
                <Field label=label name=name kind="datetime-local" value=Some(value) required
                    error=field_error(action, name) />
            }.into_any(),
        }
    };
    let cancel = match form.id {
        Some(id) => format!("/incidents/{id}"),
        None => "/incidents".to_string(),
    };
    view! {
        <ActionForm action attr:class="incident-form">
            <input type="hidden" name="id" value=form.id.map(|id| id.to_string()).unwrap_or_default() />
            <input type="hidden" name="version" value=form.version.to_string() prop:value=move || version.get().to_string() />
            <FormError error=form_error(action, FIELDS) />
            {move || current.get().map(|found| view! { <IncidentConflict base=base.clone() current=found version /> })}
            <section class="panel">
                <h2>"What happened"</h2>
                <Field label="Title" name="title" value=Some(kept("title", &v.title)) required=true
                    error=field_error(action, "title") />
                <div class="field">
                    <label for="field-summary">"Summary"</label>
                    <p class="hint">"One or two sentences a reader outside the team understands."</p>
                    <textarea id="field-summary" name="summary" rows="3">{kept("summary", &v.summary)}</textarea>
                </div>
                <fieldset class="field choices" class:invalid=move || field_error(action, "severity").with(Option::is_some)>
                    <legend>"Severity"</legend>
                    {Severity::ALL.iter().map(|&s| {
                        let id = format!("field-severity-{}", s.key());
                        let for_id = id.clone();
                        view! {
                            <label class="choice severity-choice" for=for_id>
                                <input type="radio" id=id name="severity" value=s.key() checked=severity == s.key() />
                                <span class="badge sev">{s.label()}</span>
                                <span class="hint">{s.description()}</span>
                            </label>
                        }
                    }).collect_view()}
                    <FieldError error=field_error(action, "severity") id="field-severity-error".to_string() />
                </fieldset>
                <fieldset class="field choices" class:invalid=move || field_error(action, "services").with(Option::is_some)>
                    <legend>"Affected services"</legend>
                    {form.services.is_empty().then(|| view! {
                        <p class="hint">"No services yet: a manager adds them under Teams and services."</p>
                    })}
                    {form.services.iter().map(|s| {
                        let id = format!("field-services-{}", s.id);
                        let checked = chosen_services.contains(&s.id.to_string());
                        let for_id = id.clone();
                        view! {
                            <label class="choice" for=for_id>
                                <input type="checkbox" id=id name="services[]" value=s.id.to_string() checked=checked />
                                {s.name.clone()} <span class="muted">{format!(" {}", s.team)}</span>
                            </label>
                        }
                    }).collect_view()}
                    <FieldError error=field_error(action, "services") id="field-services-error".to_string() />
                </fieldset>
                <div class="field">
                    <label class="choice" for="field-customer_impact">
                        <input type="checkbox" id="field-customer_impact" name="customer_impact" value="yes" checked=customer_impact />
                        "Customers were affected"
                    </label>
                </div>
                <div class="field">
                    <label for="field-impact_description">"Customer impact"</label>
                    <p class="hint">"Who noticed what, and for how long."</p>
                    <textarea id="field-impact_description" name="impact_description" rows="2">{kept("impact_description", &v.impact_description)}</textarea>
                </div>
            </section>
            <section class="panel">
                <h2>"Key times"</h2>
                <p class="hint">{format!("In your time zone, {time_zone}. Only the start is required while the incident is open; the times run in order.")}</p>
                {time_field("started_at", "Impact started", &v.started_at, true)}
                {time_field("detected_at", "Detected", &v.detected_at, false)}
                {time_field("acknowledged_at", "Acknowledged", &v.acknowledged_at, false)}
                {time_field("mitigated_at", "Mitigated", &v.mitigated_at, false)}
                {time_field("resolved_at", "Resolved", &v.resolved_at, false)}
            </section>
            <section class="panel">
                <h2>"Classification"</h2>
                {choice_select("detected_by", "Detected by", DetectionSource::ALL, DetectionSource::key,
                    DetectionSource::label, kept("detected_by", &v.detected_by), field_error(action, "detected_by"))}
                {answer_radios("monitoring_should_have_caught", "If not by an alert: should monitoring have caught it?",
                    [("yes", "Yes"), ("no", "No")], kept("monitoring_should_have_caught", &v.monitoring_should_have_caught),
                    field_error(action, "monitoring_should_have_caught"))}
                {answer_radios("known_problem", "Known problem or new?", [("known", "Known problem"), ("new", "New")],
                    kept("known_problem", &v.known_problem), field_error(action, "known_problem"))}
                <Field label="Repeats incidents" name="repeats" value=Some(kept("repeats", &v.repeats))
                    hint="For a known problem: the earlier incidents' numbers, such as 12, 15."
                    error=field_error(action, "repeats") />
                {choice_select("runbook_outcome", "Runbook", RunbookOutcome::ALL, RunbookOutcome::key,
                    RunbookOutcome::label, kept("runbook_outcome", &v.runbook_outcome), field_error(action, "runbook_outcome"))}
                {choice_select("cause_category", "Trigger or cause", CauseCategory::ALL, CauseCategory::key,
                    CauseCategory::label, kept("cause_category", &v.cause_category), field_error(action, "cause_category"))}
                <Field label="Tags" name="tags" value=Some(kept("tags", &v.tags)) hint="Comma-separated, such as dns, eu-west."
                    error=field_error(action, "tags") />
            </section>
            <p class="form-actions">
                <button type="submit" class="button primary">{if form.id.is_some() { "Save changes" } else { "Record incident" }}</button>
                " "
                <a class="button" href=cancel>"Cancel"</a>
            </p>
        </ActionForm>
    }
}
