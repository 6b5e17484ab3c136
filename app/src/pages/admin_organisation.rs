//! The organisation's settings: the reporting time zone and the detection-gap threshold.

use crate::api::organisation::{SaveReportingZone, load_organisation};
use crate::components::form::{FormError, field_error, form_error, succeeded};
use crate::components::notice::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminOrganisationPage() -> impl IntoView {
    let save = ServerAction::<SaveReportingZone>::new();
    let settings = Resource::new(move || save.version().get(), |_| load_organisation());
    view! {
        <Title text="Organisation" />
        <header class="page-header">
            <h1>"Organisation"</h1>
        </header>
        <section class="panel narrow">
            <h2>"Reporting time zone"</h2>
            <p class="hint">
                "Which day it is for everyone: when an action item becomes overdue, when its review falls due, "
                "and where days and weeks begin. Each person still sees times in their own zone."
            </p>
            {move || succeeded(save).get().map(|zone| view! {
                <div class="alert success" role="status">{format!("Saved. Days are counted in {zone}.")}</div>
            })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(settings) => view! {
                            <ActionForm action=save>
                                <input type="hidden" name="version" value=settings.version.to_string() />
                                <FormError error=form_error(save, &["reporting_zone", "detection_gap_threshold"]) />
                                <div class="field">
                                    <label for="field-reporting_zone">"Reporting time zone"</label>
                                    <select id="field-reporting_zone" name="reporting_zone">
                                        {settings.zones.into_iter().map(|z| {
                                            let selected = z == settings.reporting_zone;
                                            let value = z.clone();
                                            view! { <option value=value selected=selected>{z}</option> }
                                        }).collect_view()}
                                    </select>
                                    {move || field_error(save, "reporting_zone").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                </div>
                                <div class="field">
                                    <label for="field-detection_gap_threshold">"Detection gap threshold (%)"</label>
                                    <input id="field-detection_gap_threshold" name="detection_gap_threshold" type="number"
                                        min="0" max="100" step="1" required
                                        value=settings.detection_gap_threshold.to_string() />
                                    <p class="hint">"When at least this share of a period's incidents were reported by users, analytics and reviews raise it as a finding."</p>
                                    {move || field_error(save, "detection_gap_threshold").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                </div>
                                <button type="submit" class="button primary">"Save"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
