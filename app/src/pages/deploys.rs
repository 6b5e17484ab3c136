//! Deploys: upload past deploys as CSV, for the change failure rate.

use crate::api::deploys::UploadDeploys;
use crate::components::form::{FormError, field_error, form_error, kept_or, succeeded};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DeploysPage() -> impl IntoView {
    let upload = ServerAction::<UploadDeploys>::new();
    let kept = kept_or::<UploadDeploys>("csv", "service,deployed_at,outcome,reference\n");
    view! {
        <Title text="Deploys" />
        <header class="page-header">
            <h1>"Deploys"</h1>
            <p class="lede">"Deploys give the change failure rate in "<a href="/analytics">"Analytics"</a>
                ". Pipelines send them to " <code>"POST /api/v1/deploys"</code> "; past ones can be pasted here."</p>
        </header>
        <section class="panel narrow" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Upload deploys as CSV"</h2>
            {move || succeeded(upload).get().map(|n| view! {
                <div class="alert success" role="status">{format!("Recorded {n} deploys.")}</div>
            })}
            <ActionForm action=upload attr:class="stacked-form">
                <FormError error=form_error(upload, &["csv"]) />
                <div class="field">
                    <label for="deploys-csv">"CSV"</label>
                    <p class="hint">"A header line, then one deploy per line: the service's name, when (RFC 3339, such as 2026-10-05T14:03:00Z), succeeded, failed or rolled_back, and optionally a reference such as a version. All or nothing: one wrong line and nothing is recorded."</p>
                    <textarea id="deploys-csv" name="csv" rows="12" spellcheck="false">{kept}</textarea>
                    {move || field_error(upload, "csv").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </div>
                <button type="submit" class="button primary">"Record deploys"</button>
            </ActionForm>
        </section>
    }
}
