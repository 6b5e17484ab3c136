//! Signing in.

use crate::api::accounts::Login;
use crate::components::form::{Field, FormError, field_error, form_error, kept_input};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in" />
        <main class="auth-page">
            <div class="auth-card">
                <p class="brand"><span class="brand-mark" aria-hidden="true">"◐"</span>"Hindsight"</p>
                <h1>"Sign in"</h1>
                <ActionForm action=login>
                    <input type="hidden" name="next" value=next />
                    <FormError error=form_error(login, &["username", "password"]) />
                    <Field label="Username" name="username" value={kept_input::<Login>("username")} autocomplete="username" required=true
                        autofocus=true error=field_error(login, "username") />
                    <Field label="Password" name="password" kind="password" autocomplete="current-password"
                        required=true error=field_error(login, "password") />
                    <button type="submit" class="button primary wide" disabled=move || login.pending().get()>
                        "Sign in"
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}
