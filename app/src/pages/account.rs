//! One's own account: who you are, and changing your password.

use crate::api::accounts::{ChangePassword, Me};
use crate::components::form::{
    Field, FormError, NewPasswordFields, field_error, form_error, succeeded,
};
use leptos::prelude::*;
use leptos_meta::Title;

const FIELDS: &[&str] = &["current_password", "new_password", "new_password_confirm"];

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let change = ServerAction::<ChangePassword>::new();
    let changed = succeeded(change);
    view! {
        <Title text="Account" />
        <header class="page-header">
            <h1>"Your account"</h1>
        </header>
        <section class="panel">
            <dl class="facts">
                <dt>"Name"</dt><dd>{me.display_name.clone()}</dd>
                <dt>"Username"</dt><dd>{me.username.clone()}</dd>
                <dt>"Role"</dt><dd>{me.role.label()} " — " {me.role.description()}</dd>
            </dl>
        </section>
        <section class="panel narrow">
            <h2>"Change password"</h2>
            <p class="hint">"Signs you out everywhere else."</p>
            {move || changed.get().map(|_| view! {
                <div class="alert success" role="status">"Password changed. Other sessions have been signed out."</div>
            })}
            <ActionForm action=change>
                <FormError error=form_error(change, FIELDS) />
                <Field label="Current password" name="current_password" kind="password"
                    autocomplete="current-password" required=true error=field_error(change, "current_password") />
                <NewPasswordFields label="New password" name="new_password"
                    confirm_label="Repeat the new password" confirm_name="new_password_confirm"
                    error=field_error(change, "new_password")
                    confirm_error=field_error(change, "new_password_confirm") />
                <button type="submit" class="button primary" disabled=move || change.pending().get()>
                    "Change password"
                </button>
            </ActionForm>
        </section>
    }
}
