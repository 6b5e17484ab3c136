//! The first run: there are no accounts yet, so the first person creates the admin account.

use crate::api::accounts::{SetupFirstAdmin, needs_setup};
use crate::components::form::{
    Field, FormError, NewPasswordFields, field_error, form_error, kept_input,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

const FIELDS: &[&str] = &[
    "username",
    "display_name",
    "email",
    "password",
    "password_confirm",
];

#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<SetupFirstAdmin>::new();
    let needed = Resource::new(|| (), |_| needs_setup());
    view! {
        <Title text="Welcome" />
        <main class="auth-page">
            <div class="auth-card wide">
                <p class="brand"><span class="brand-mark" aria-hidden="true">"◐"</span>"Hindsight"</p>
                <Suspense>
                    {move || Suspend::new(async move {
                        if needed.await != Ok(true) {
                            return view! { <Redirect path="/login" /> }.into_any();
                        }
                        view! {
                            <h1>"Create the first admin"</h1>
                            <p class="lede">
                                "Hindsight has no accounts yet. The account you create here can invite everyone else."
                            </p>
                            <ActionForm action=setup>
                                <FormError error=form_error(setup, FIELDS) />
                                <Field label="Username" name="username" value={kept_input::<SetupFirstAdmin>("username")} autocomplete="username" required=true
                                    autofocus=true hint="Letters, digits, '.', '_' and '-'; used to sign in."
                                    error=field_error(setup, "username") />
                                <Field label="Display name" name="display_name" value={kept_input::<SetupFirstAdmin>("display_name")} autocomplete="name" required=true
                                    error=field_error(setup, "display_name") />
                                <Field label="Email" name="email" value={kept_input::<SetupFirstAdmin>("email")} kind="email" autocomplete="email" required=true
                                    error=field_error(setup, "email") />
                                <NewPasswordFields label="Password" name="password"
                                    confirm_label="Repeat the password" confirm_name="password_confirm"
                                    error=field_error(setup, "password")
                                    confirm_error=field_error(setup, "password_confirm") />
                                <button type="submit" class="button primary wide" disabled=move || setup.pending().get()>
                                    "Create admin and sign in"
                                </button>
                            </ActionForm>
                        }.into_any()
                    })}
                </Suspense>
            </div>
        </main>
    }
}
