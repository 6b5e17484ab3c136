//! Importing historical incidents from a spreadsheet: paste or choose the CSV, say which column
//! fills which field (guessed from the column names), run a dry run that lists every problem by
//! row and column, then import all of it or nothing.

use crate::api::incident_import::{ImportAnswer, ImportIncidentsCsv, kept_import_answer};
use crate::components::form::{field_error, form_error, kept_input};
use crate::components::notice::ErrorNotice;
use crate::domain::incident_import::{ImportField, ImportReport, guess, header_names};
use leptos::prelude::*;
use leptos_meta::Title;

/// The form's fields, whose errors show beside them rather than above the form.
const FORM_FIELDS: &[&str] = &[
    "csv",
    "title",
    "severity",
    "started_at",
    "services",
    "summary",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "detected_by",
    "monitoring_should_have_caught",
    "known_problem",
    "runbook_outcome",
    "cause_category",
    "customer_impact",
    "impact_description",
    "tags",
];

const EXAMPLE: &str =
    "title,severity,services,started_at,detected_at,resolved_at,detected_by,runbook\n";

#[component]
pub fn IncidentImportPage() -> impl IntoView {
    let run = ServerAction::<ImportIncidentsCsv>::new();
    // Without JavaScript the answer comes back through the session, for this page view only.
    let kept = Resource::new(|| (), |_| kept_import_answer());
    view! {
        <Title text="Import incidents" />
        <header class="page-header">
            <h1>"Import incidents from CSV"</h1>
            <p class="lede">
                "Bring in incidents recorded elsewhere: one line per incident under a header line. "
                "Say which column fills which field, check it with a dry run, then import it. "
                "All or nothing: one wrong cell and nothing is written."
            </p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match kept.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(answer) => view! { <ImportForm run answer /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImportForm(
    run: ServerAction<ImportIncidentsCsv>,
    answer: Option<ImportAnswer>,
) -> impl IntoView {
    let kept_csv = kept_input::<ImportIncidentsCsv>("csv");
    let first_csv = answer
        .as_ref()
        .filter(|a| !a.committed)
        .map(|a| a.csv.clone())
        .or(kept_csv)
        .unwrap_or_else(|| EXAMPLE.to_string());
    let csv = RwSignal::new(first_csv.clone());
    let columns = Memo::new(move |_| csv.with(|text| header_names(text)));

    // Each field's column as sent last; otherwise empty until the browser guesses from the
    // CSV's column names (without JavaScript the server guesses when none is chosen).
    let mapping: Vec<(ImportField, RwSignal<String>)> = ImportField::ALL
        .iter()
        .map(|&field| {
            let chosen = answer
                .as_ref()
                .and_then(|a| {
                    a.mapping
                        .iter()
                        .find(|(f, _)| *f == field)
                        .map(|(_, c)| c.clone())
                })
                .or_else(|| kept_input::<ImportIncidentsCsv>(field.key()))
                .unwrap_or_default();
            (field, RwSignal::new(chosen))
        })
        .collect();
    // A new CSV brings new guesses, for fields whose column it does not have.
    {
        let mapping = mapping.clone();
        Effect::new(move |_| {
            let names = columns.get();
            let guesses = guess(&names);
            for (field, chosen) in &mapping {
                let current = chosen.get_untracked();
                if names.iter().any(|n| n.eq_ignore_ascii_case(current.trim())) {
                    continue;
                }
                if let Some((_, Some(column))) = guesses.iter().find(|(f, _)| f == field) {
                    chosen.set(column.clone());
                } else if !current.is_empty() {
                    chosen.set(String::new());
                }
            }
        });
    }

    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input: web_sys::HtmlInputElement = event_target(&ev);
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                leptos::task::spawn_local(async move {
                    if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                        && let Some(text) = text.dyn_ref::<js_sys::JsString>()
                    {
                        csv.set(String::from(text));
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };

    let report = move || {
        run.value()
            .get()
            .and_then(Result::ok)
            .map(|r| (r, false))
            .or_else(|| answer.clone().map(|a| (a.report, true)))
    };

    view! {
        <section class="panel" aria-labelledby="import-heading">
            <h2 id="import-heading">"The CSV"</h2>
            {move || report().map(|(r, _)| view! { <Report report=r /> })}
            <ActionForm action=run attr:class="stacked-form" attr:id="incident-import">
                {move || form_error(run, FORM_FIELDS).get().map(|m| view! { <div class="alert error" role="alert">{m}</div> })}
                <div class="field">
                    <label for="import-csv">"CSV"</label>
                    <p class="hint">
                        "A header line, then one incident per line. Times without an offset are read in the "
                        "organisation's reporting time zone. At most 5,000 incidents and 1 MB at once."
                    </p>
                    {move || hydrated.get().then(|| view! {
                        <p>
                            <label for="import-file">"Or choose a file: "</label>
                            <input id="import-file" type="file" accept=".csv,text/csv,text/plain" on:change=on_file />
                        </p>
                    })}
                    <textarea id="import-csv" name="csv" rows="12" spellcheck="false"
                        prop:value=move || csv.get()
                        on:input=move |ev| csv.set(event_target_value(&ev))>{first_csv.clone()}</textarea>
                    {move || field_error(run, "csv").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </div>
                <fieldset class="column-mapping">
                    <legend>"Which column fills which field"</legend>
                    <p class="hint">"Guessed from the column names (without JavaScript, at the first dry run when none is filled in); change any guess. Fields marked * need a column."</p>
                    <datalist id="csv-columns">
                        {move || columns.get().into_iter().map(|c| view! { <option value=c></option> }).collect_view()}
                    </datalist>
                    {mapping.into_iter().map(|(field, chosen)| {
                        let id = format!("map-{}", field.key());
                        let label = if field.required() { format!("{} *", field.label()) } else { field.label().to_string() };
                        let first = chosen.get_untracked();
                        view! {
                            <div class="field mapping-field">
                                <label for=id.clone()>{label}</label>
                                <input id=id name=field.key() list="csv-columns" autocomplete="off"
                                    value=first
                                    prop:value=move || chosen.get()
                                    on:input=move |ev| chosen.set(event_target_value(&ev)) />
                                <p class="hint">{field.hint()}</p>
                                {move || field_error(run, field.key()).get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || run.pending().get()>"Dry run"</button>
                    <button type="submit" name="commit" value="yes" class="button primary"
                        disabled=move || run.pending().get()>"Import"</button>
                </div>
            </ActionForm>
            {move || run.pending().get().then(|| {
                let rows = csv.with(|text| text.lines().filter(|l| !l.trim().is_empty()).count().saturating_sub(1));
                view! {
                    <div class="transfer" data-running="true">
                        <progress aria-label="Import progress"></progress>
                        <p class="hint" role="status">{format!(
                            "Checking about {rows} rows against everything the incident form checks; a few thousand take several seconds."
                        )}</p>
                    </div>
                }
            })}
        </section>
    }
}

#[component]
fn Report(report: ImportReport) -> impl IntoView {
    if let Some(n) = report.imported {
        return view! {
            <div class="alert success" role="status">
                {format!("Imported {n} incidents. ")}<a href="/incidents">"See them in the list"</a>
            </div>
        }
        .into_any();
    }
    if report.problems.is_empty() {
        return view! {
            <div class="alert success" role="status">
                {format!("Dry run: all {} incidents can be imported. Nothing has been written yet.", report.rows)}
            </div>
        }
        .into_any();
    }
    let rows: std::collections::BTreeSet<usize> = report
        .problems
        .iter()
        .map(|p| p.row)
        .filter(|&r| r > 0)
        .collect();
    view! {
        <div class="alert error" role="alert">
            {format!(
                "{} problems in {} of {} rows; nothing was written. Correct them and run it again.",
                report.problems.iter().filter(|p| p.row > 0).count(),
                rows.len(),
                report.rows
            )}
        </div>
        <div class="table-wrap"><table class="table compact import-problems">
            <thead><tr><th scope="col">"Row"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
            <tbody>
                {report.problems.into_iter().map(|p| view! {
                    <tr>
                        <td>{if p.row > 0 { p.row.to_string() } else { String::new() }}</td>
                        <td>{p.column}</td>
                        <td>{p.message}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}
