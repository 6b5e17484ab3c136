//! One's own account: who you are, and changing your password.

use crate::api::accounts::{ChangePassword, Me, SetTimeZone, time_zones};
use crate::api::action_items::{NewCalendarFeed, RevokeCalendarFeed, load_calendar_feed};
use crate::api::tokens::{
    CreateToken, NewToken, RevokeToken, TokenRow, my_tokens, token_just_made,
};
use crate::components::form::{
    Field, FormError, NewPasswordFields, field_error, form_error, succeeded,
};
use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use crate::pages::layout::signed_in;
use leptos::prelude::*;
use leptos_meta::Title;

const FIELDS: &[&str] = &["current_password", "new_password", "new_password_confirm"];

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = signed_in();
    let change = ServerAction::<ChangePassword>::new();
    let changed = succeeded(change);
    view! {
        <Title text="Account" />
        <header class="page-header">
            <h1>"Your account"</h1>
        </header>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await.ok().flatten().map(|me| view! {
                    <section class="panel">
                        <dl class="facts">
                            <dt>"Name"</dt><dd>{me.display_name.clone()}</dd>
                            <dt>"Username"</dt><dd>{me.username.clone()}</dd>
                            <dt>"Role"</dt><dd>{me.role.label()} " — " {me.role.description()}</dd>
                        </dl>
                    </section>
                })
            })}
        </Suspense>
        <TimeZoneForm me />
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
        <CalendarFeedPanel />
        <ApiTokens />
    }
}

/// This site's address, for showing a full feed address; only known in the browser.
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        window().location().origin().unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// The personal calendar feed of one's action items: made, remade or ended here.
#[component]
fn CalendarFeedPanel() -> impl IntoView {
    let create = ServerAction::<NewCalendarFeed>::new();
    let revoke = ServerAction::<RevokeCalendarFeed>::new();
    let feed = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| load_calendar_feed(),
    );
    let issued = succeeded(create);
    view! {
        <section class="panel" aria-labelledby="calendar-feed">
            <h2 id="calendar-feed">"Calendar feed"</h2>
            <p class="hint">
                "Subscribe to it in your calendar app to see the due dates and verification dates of the action items you own. "
                "Anyone with the address can read it: keep it to yourself, and make a new one if it leaks."
            </p>
            {move || issued.get().map(|path| view! {
                <div class="alert success" role="status">
                    <p>"Your feed's address. Copy it now: it is not shown again."</p>
                    <code class="secret" data-feed="new">{format!("{}{path}", origin())}</code>
                </div>
            })}
            <FormError error=form_error(create, &[]) />
            <FormError error=form_error(revoke, &[]) />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match feed.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(feed) => match feed.since {
                            Some(since) => view! {
                                <p>{format!("You have a feed, made {since}.")}</p>
                                <div class="button-row">
                                    <ActionForm action=create attr:class="inline-form">
                                        <button type="submit" class="button">"Make a new address"</button>
                                    </ActionForm>
                                    <ActionForm action=revoke attr:class="inline-form">
                                        <button type="submit" class="button danger">"End the feed"</button>
                                    </ActionForm>
                                </div>
                            }.into_any(),
                            None => view! {
                                <p class="empty">"No feed yet."</p>
                                <ActionForm action=create attr:class="inline-form">
                                    <button type="submit" class="button primary">"Make a feed address"</button>
                                </ActionForm>
                            }.into_any(),
                        },
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The zone times are shown and entered in.
#[component]
fn TimeZoneForm(me: Resource<Result<Option<Me>, AppError>>) -> impl IntoView {
    let set = ServerAction::<SetTimeZone>::new();
    let zones = Resource::new(|| (), |_| time_zones());
    view! {
        <section class="panel narrow">
            <h2>"Time zone"</h2>
            <p class="hint">"Incident times are shown and entered in this zone, and stored in UTC."</p>
            {move || succeeded(set).get().map(|zone| view! {
                <div class="alert success" role="status">{format!("Times are now shown in {zone}.")}</div>
            })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    Suspend::new(async move {
                        let current = me
                            .await
                            .ok()
                            .flatten()
                            .map(|me| me.time_zone)
                            .unwrap_or_default();
                        match zones.await {
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                            Ok(zones) => view! {
                                <ActionForm action=set>
                                    <FormError error=form_error(set, &["time_zone"]) />
                                    <div class="field">
                                        <label for="field-time_zone">"Time zone"</label>
                                        <select id="field-time_zone" name="time_zone">
                                            {zones.into_iter().map(|z| {
                                                let selected = z == current;
                                                let value = z.clone();
                                                view! { <option value=value selected=selected>{z}</option> }
                                            }).collect_view()}
                                        </select>
                                        {move || field_error(set, "time_zone").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                    </div>
                                    <button type="submit" class="button primary">"Save time zone"</button>
                                </ActionForm>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn TokenMade(token: NewToken) -> impl IntoView {
    view! {
        <div class="alert success" role="status">
            <p>"Token " <strong>{token.name}</strong> " created. Copy it now: it is not shown again."</p>
            <code class="secret" data-token="new">{token.token}</code>
        </div>
    }
}

#[component]
fn ApiTokens() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| my_tokens(),
    );
    let issued = succeeded(create);
    // Without JavaScript the form's answer never reaches the page: the server kept the token for
    // this one page view instead.
    let kept = Resource::new(|| (), |_| token_just_made());
    view! {
        <section class="panel">
            <h2>"API tokens"</h2>
            <p class="hint">
                "Scripts use a token to call the JSON API under /api/v1 as you, with your role. "
                "Send it as " <code>"Authorization: Bearer <token>"</code> ". "
                <a href="/api-docs">"The API reference"</a> " lists every call."
            </p>
            {move || issued.get().map(|token| view! { <TokenMade token /> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    kept.await.ok().flatten().map(|token| view! { <TokenMade token /> })
                })}
            </Suspense>
            <FormError error=form_error(revoke, &[]) />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">"No tokens yet."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Created"</th>
                                    <th scope="col">"Last used"</th>
                                    <th scope="col"><span class="visually-hidden">"Revoke"</span></th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|row| view! { <TokenRowView row revoke /> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=create attr:class="inline-form token-form">
                <FormError error=form_error(create, &["name"]) />
                <Field form="new-token" label="Token name" name="name" hint="What will use it, e.g. \"incident import script\"."
                    required=true error=field_error(create, "name") />
                <button type="submit" class="button primary">"Create token"</button>
            </ActionForm>
        </section>
    }
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(
        || "never".to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

#[component]
fn TokenRowView(row: TokenRow, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let id = row.id.to_string();
    view! {
        <tr data-token-name=row.name.clone()>
            <td>{row.name.clone()}</td>
            <td>{when(Some(row.created_at))}</td>
            <td>{when(row.last_used_at)}</td>
            <td>
                {if row.revoked {
                    view! { <span class="badge danger">"Revoked"</span> }.into_any()
                } else {
                    view! {
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="id" value=id.clone() />
                            <button type="submit" class="button small">"Revoke"</button>
                        </ActionForm>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}
