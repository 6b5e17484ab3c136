//! The admin's page for accounts: create them, change roles, disable, reset passwords.

use crate::api::accounts::{CreateUser, ResetPassword, SetDisabled, SetRole, UserRow, list_users};
use crate::components::form::{Field, FormError, field_error, form_error, kept_input, succeeded};
use crate::components::notice::ErrorNotice;
use crate::domain::links::urlencode;
use crate::domain::{NewPassword, Role};
use crate::pages::layout::signed_in;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CREATE_FIELDS: &[&str] = &["username", "display_name", "email", "role", "password"];

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetRole>::new();
    let set_disabled = ServerAction::<SetDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let query = use_query_map();
    let users = Resource::new(
        move || {
            (
                query.read().get("after"),
                create.version().get(),
                set_role.version().get(),
                set_disabled.version().get(),
                reset.version().get(),
            )
        },
        |(after, ..)| list_users(after),
    );
    let created = succeeded(create);
    let me = signed_in();
    let was_reset = succeeded(reset);

    view! {
        <Title text="Users" />
        <header class="page-header">
            <h1>"Users"</h1>
            <p class="lede">"Who can sign in to Hindsight, and what they may do."</p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let me_id = me.await.ok().flatten().map_or(0, |me| me.id);
                match users.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(page) => view! {
                        <section class="panel">
                            <FormError error=form_error(set_role, &[]) />
                            <FormError error=form_error(set_disabled, &[]) />
                            <FormError error=form_error(reset, &[]) />
                            {move || was_reset.get().map(|u| view! {
                                <div class="alert success" role="status">
                                    "New password set for " {u.username} ". Their sessions have been signed out."
                                </div>
                            })}
                            <div class="table-wrap">
                                <table class="table">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Username"</th>
                                            <th scope="col">"Role"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col">"Last sign-in"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page.users.into_iter().map(|user| {
                                            let is_me = user.id == me_id;
                                            view! { <UserRowView user is_me set_role set_disabled reset /> }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {page.next_after.map(|after| view! {
                                <p class="pager">
                                    <a class="button" href=format!("/admin/users?after={}", urlencode(&after))>"Next page"</a>
                                </p>
                            })}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel narrow">
            <h2>"Create a user"</h2>
            {move || created.get().map(|u| view! {
                <div class="alert success" role="status">
                    "Created " {u.display_name} " (" {u.username} "). Give them their password in person or by a private channel."
                </div>
            })}
            <ActionForm action=create>
                <FormError error=form_error(create, CREATE_FIELDS) />
                <Field label="Username" name="username" value={kept_input::<CreateUser>("username")} autocomplete="off" required=true
                    error=field_error(create, "username") />
                <Field label="Display name" name="display_name" value={kept_input::<CreateUser>("display_name")} autocomplete="off" required=true
                    error=field_error(create, "display_name") />
                <Field label="Email" name="email" value={kept_input::<CreateUser>("email")} kind="email" autocomplete="off" required=true
                    error=field_error(create, "email") />
                <div class="field">
                    <label for="field-role">"Role"</label>
                    <select id="field-role" name="role">
                        {Role::ALL.into_iter().map(|role| view! {
                            <option value=role.as_str() selected=role == Role::Engineer>{role.label()}</option>
                        }).collect_view()}
                    </select>
                    <ul class="hint role-list">
                        {Role::ALL.into_iter().map(|role| view! {
                            <li><strong>{role.label()}</strong> ": " {role.description()}</li>
                        }).collect_view()}
                    </ul>
                </div>
                <Field label="Initial password" name="password" kind="password" autocomplete="new-password"
                    required=true hint=format!("At least {} characters.", NewPassword::MIN_CHARS)
                    error=field_error(create, "password") />
                <button type="submit" class="button primary" disabled=move || create.pending().get()>
                    "Create user"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn UserRowView(
    user: UserRow,
    /// Admins cannot change their own role or disable themselves; their row shows no controls.
    is_me: bool,
    set_role: ServerAction<SetRole>,
    set_disabled: ServerAction<SetDisabled>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    let id = user.id.to_string();
    let (id_for_role, id_for_disable, id_for_reset) = (id.clone(), id.clone(), id);
    let role_id = format!("role-{}", user.id);
    let reset_id = format!("reset-{}", user.id);
    let role_label = format!("Role of {}", user.username);
    let reset_label = format!("New password for {}", user.username);
    let role = user.role;
    let last = user
        .last_login_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into());
    view! {
        <tr class:disabled=user.disabled data-username=user.username.clone()>
            <td>{user.display_name.clone()} <br /><small class="muted">{user.email.clone()}</small></td>
            <td>{user.username.clone()}</td>
            <td>
                {if is_me {
                    view! { <span>{role.label()} " " <span class="badge">"you"</span></span> }.into_any()
                } else { view! {
                <ActionForm action=set_role attr:class="inline-form">
                    <input type="hidden" name="user_id" value=id_for_role.clone() />
                    <label class="visually-hidden" for=role_id.clone()>{role_label.clone()}</label>
                    <select id=role_id.clone() name="role">
                        {Role::ALL.into_iter().map(|option| view! {
                            <option value=option.as_str() selected=option == role>{option.label()}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="button small">"Save"</button>
                </ActionForm>
                }.into_any() }}
            </td>
            <td>
                {if user.disabled {
                    view! { <span class="badge danger">"Disabled"</span> }.into_any()
                } else {
                    view! { <span class="badge ok">"Active"</span> }.into_any()
                }}
            </td>
            <td>{last}</td>
            <td class="row-actions">
                {(!is_me).then(|| view! {
                <ActionForm action=set_disabled attr:class="inline-form">
                    <input type="hidden" name="user_id" value=id_for_disable.clone() />
                    <input type="hidden" name="disabled" value=(!user.disabled).to_string() />
                    <button type="submit" class="button small">
                        {if user.disabled { "Enable" } else { "Disable" }}
                    </button>
                </ActionForm>
                <details class="reset">
                    <summary class="button small">"Reset password"</summary>
                    <ActionForm action=reset attr:class="inline-form">
                        <input type="hidden" name="user_id" value=id_for_reset.clone() />
                        <label class="visually-hidden" for=reset_id.clone()>{reset_label.clone()}</label>
                        <input id=reset_id.clone() type="password" name="password" autocomplete="new-password"
                            minlength=NewPassword::MIN_CHARS.to_string() placeholder="New password" required />
                        <button type="submit" class="button small">"Set"</button>
                    </ActionForm>
                </details>
                })}
            </td>
        </tr>
    }
}
