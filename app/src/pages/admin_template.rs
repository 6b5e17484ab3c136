//! The postmortem template admins keep: the text every new postmortem starts from.

use crate::api::postmortems::{SaveTemplate, load_template};
use crate::components::form::{FormError, field_error, form_error, succeeded};
use crate::components::notice::ErrorNotice;
use crate::domain::markdown;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminTemplatePage() -> impl IntoView {
    let save = ServerAction::<SaveTemplate>::new();
    let template = Resource::new(move || save.version().get(), |_| load_template());
    view! {
        <Title text="Postmortem template" />
        <header class="page-header">
            <h1>"Postmortem template"</h1>
            <p class="lede">"Every new postmortem starts from this text. Postmortems already started keep theirs."</p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match template.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(template) => {
                        let text = RwSignal::new(template.body.clone());
                        view! {
                            <div class="columns">
                                <section class="panel">
                                    <ActionForm action=save>
                                        <input type="hidden" name="version" value=template.version.to_string() />
                                        <FormError error=form_error(save, &["body"]) />
                                        {move || succeeded(save).get().map(|_| view! { <div class="alert success" role="status">"Template saved."</div> })}
                                        <div class="field">
                                            <label for="template-body">"Template (markdown)"</label>
                                            <textarea id="template-body" name="body" rows="24"
                                                on:input=move |ev| text.set(event_target_value(&ev))>{template.body.clone()}</textarea>
                                            {move || field_error(save, "body").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                        </div>
                                        <button type="submit" class="button primary">"Save template"</button>
                                    </ActionForm>
                                </section>
                                <section class="panel">
                                    <h2>"Preview"</h2>
                                    <article class="markdown" inner_html=move || text.with(|t| markdown::render(t))></article>
                                </section>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
