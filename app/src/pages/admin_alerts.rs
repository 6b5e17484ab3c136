//! Alert sources: turning Alertmanager and PagerDuty deliveries on, their secrets, and which
//! labels name an incident's services and severity.

use crate::api::alerts::{
    AddAlertRule, AlertSourceDto, RemoveAlertRule, RemoveAlertSource, SaveAlertSettings,
    SetAlertSecret, alertmanager_token_just_made, load_alert_settings,
};
use crate::components::form::{
    Field, FieldError, FormError, field_error, form_error, kept_input, succeeded,
};
use crate::components::notice::ErrorNotice;
use crate::domain::alert::{AlertSourceKind, UNMAPPED_SEVERITY};
use crate::domain::incident::Severity;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminAlertsPage() -> impl IntoView {
    view! {
        <Title text="Alerts" />
        <header class="page-header">
            <h1>"Alerts"</h1>
        </header>
        <p class="hint">
            "Alerting systems can open incidents here: a firing alert group opens an incident detected by an alert, "
            "later deliveries add firing, acknowledged and resolved events to its timeline, and the incident is resolved "
            "when every alert of the group has resolved. A repeated delivery changes nothing."
        </p>
        <SourcePanel kind=AlertSourceKind::Alertmanager />
        <SourcePanel kind=AlertSourceKind::PagerDuty />
    }
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(
        || "never".to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// What was typed into `field` when a form for `S` was refused without JavaScript, if that form
/// was this one: the same source and, for the two rule forms, the one with the field `by`.
fn kept_here<S: leptos::server_fn::ServerFn>(
    source: &str,
    by: Option<&str>,
    field: &str,
) -> Option<String> {
    let this_form = kept_input::<S>("source").as_deref() == Some(source)
        && by.is_none_or(|by| kept_input::<S>(by).is_some());
    this_form.then(|| kept_input::<S>(field)).flatten()
}

#[component]
fn TokenMade(token: String) -> impl IntoView {
    view! {
        <div class="alert success" role="status">
            <p>"New token made. Copy it now: it is not shown again. The previous token no longer works."</p>
            <code class="secret" data-token="alertmanager">{token}</code>
        </div>
    }
}

#[component]
fn SourcePanel(kind: AlertSourceKind) -> impl IntoView {
    let secret = ServerAction::<SetAlertSecret>::new();
    let remove = ServerAction::<RemoveAlertSource>::new();
    let save = ServerAction::<SaveAlertSettings>::new();
    let add = ServerAction::<AddAlertRule>::new();
    let drop_rule = ServerAction::<RemoveAlertRule>::new();
    let settings = Resource::new(
        move || {
            (
                secret.version().get(),
                remove.version().get(),
                save.version().get(),
                add.version().get(),
                drop_rule.version().get(),
            )
        },
        |_| load_alert_settings(),
    );
    let issued = succeeded(secret);
    // Without JavaScript the form's answer never reaches the page: the server kept the token for
    // this one page view instead.
    let kept = Resource::new(
        || (),
        move |_| async move {
            match kind {
                AlertSourceKind::Alertmanager => alertmanager_token_just_made().await,
                AlertSourceKind::PagerDuty => Ok(None),
            }
        },
    );
    let form = kind.key();
    view! {
        <section class="panel" data-source=form>
            <h2>{kind.label()}</h2>
            {move || issued.get().flatten().map(|token| view! { <TokenMade token /> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    kept.await.ok().flatten().map(|token| view! { <TokenMade token /> })
                })}
            </Suspense>
            <FormError error=form_error(remove, &[]) />
            <FormError error=form_error(drop_rule, &[]) />
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(all) => {
                            let services = all.services.clone();
                            match all.sources.into_iter().find(|s| s.kind == kind) {
                                None => view! { <p class="empty">"Unknown source."</p> }.into_any(),
                                Some(source) => source_view(source, services, secret, remove, save, add, drop_rule),
                            }
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

fn how_to_connect(source: &AlertSourceDto) -> AnyView {
    let path = source.path.clone();
    match source.kind {
        AlertSourceKind::Alertmanager => view! {
            <p class="hint">
                "In Alertmanager's configuration, add a receiver that sends to this site's "
                <code>{path.clone()}</code> " with the token:"
            </p>
            <pre class="snippet"><code>{format!(
                "receivers:\n  - name: hindsight\n    webhook_configs:\n      - url: https://<this site>{path}\n        send_resolved: true\n        http_config:\n          authorization:\n            credentials: <the token>\n"
            )}</code></pre>
        }
        .into_any(),
        AlertSourceKind::PagerDuty => view! {
            <p class="hint">
                "In PagerDuty, add a generic webhook (v3) subscription that sends to this site's "
                <code>{path}</code> " with the events incident.triggered, incident.acknowledged and incident.resolved, "
                "then paste the signing secret PagerDuty shows here. Deliveries whose signature does not match are refused."
            </p>
        }
        .into_any(),
    }
}

fn source_view(
    source: AlertSourceDto,
    services: Vec<(i64, String)>,
    secret: ServerAction<SetAlertSecret>,
    remove: ServerAction<RemoveAlertSource>,
    save: ServerAction<SaveAlertSettings>,
    add: ServerAction<AddAlertRule>,
    drop_rule: ServerAction<RemoveAlertRule>,
) -> AnyView {
    let kind = source.kind;
    let key = kind.key();
    let connect = how_to_connect(&source);
    let secret_form = secret_form(kind, source.enabled, secret);
    if !source.enabled {
        return view! {
            <p><span class="badge">"Off"</span> " Deliveries to " <code>{source.path.clone()}</code> " are refused."</p>
            {connect}
            {secret_form}
        }
        .into_any();
    }
    let status = match (&source.last_error, source.last_error_at) {
        (Some(error), at) if at >= source.last_delivery_at => view! {
            <div class="alert error" role="status">
                <p>{format!("The last delivery was refused ({}):", when(at))}</p>
                <p data-last-error=key>{error.clone()}</p>
            </div>
        }
        .into_any(),
        _ => view! { <p class="hint">{format!("Last delivery taken in: {}.", when(source.last_delivery_at))}</p> }
            .into_any(),
    };
    let fallback = source.fallback_service_id;
    let service_options = services
        .iter()
        .map(|(id, name)| {
            let selected = Some(*id) == fallback;
            view! { <option value=id.to_string() selected=selected>{name.clone()}</option> }
        })
        .collect_view();
    let rule_services = services
        .iter()
        .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
        .collect_view();
    let severities = Severity::ALL
        .iter()
        .map(|s| view! { <option value=s.key()>{s.label()}</option> })
        .collect_view();
    let rules = if source.rules.is_empty() {
        view! { <p class="empty">"No rules."</p> }.into_any()
    } else {
        view! {
            <table class="table" data-rules=key>
                <thead><tr>
                    <th scope="col">"Decides"</th>
                    <th scope="col">"When"</th>
                    <th scope="col">"Then"</th>
                    <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                </tr></thead>
                <tbody>
                    {source.rules.into_iter().map(|rule| {
                        let id = rule.id.to_string();
                        view! {
                            <tr>
                                <td>{rule.kind.label()}</td>
                                <td><code>{format!("{}={}", rule.label, rule.value)}</code></td>
                                <td>{rule.target}</td>
                                <td>
                                    <ActionForm action=drop_rule attr:class="inline-form">
                                        <input type="hidden" name="source" value=key />
                                        <input type="hidden" name="id" value=id />
                                        <button type="submit" class="button small">"Remove"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let service_labels = kept_here::<SaveAlertSettings>(key, None, "service_labels")
        .unwrap_or_else(|| source.service_labels.clone());
    let service_rule = |field| kept_here::<AddAlertRule>(key, Some("service_id"), field);
    let severity_rule = |field| kept_here::<AddAlertRule>(key, Some("severity"), field);
    let labels_form = format!("{key}-labels");
    let service_rule_form = format!("{key}-service-rule");
    let severity_rule_form = format!("{key}-severity-rule");
    view! {
        <p><span class="badge ok">"On"</span> " Deliveries to " <code>{source.path.clone()}</code> " open and update incidents."</p>
        {status}
        {connect}

        <h3>"Services"</h3>
        <ActionForm action=save>
            <input type="hidden" name="source" value=key />
            <input type="hidden" name="version" value=source.version.to_string() />
            <FormError error=form_error(save, &["service_labels", "fallback_service_id"]) />
            <Field form=labels_form.clone() label="Labels that name a service" name="service_labels"
                hint="The first of these labels whose value is a service's name decides the service, unless a service rule below matches."
                value=Some(service_labels) error=field_error(save, "service_labels") />
            <div class="field">
                <label for=format!("{labels_form}-fallback")>"Fallback service"</label>
                <select id=format!("{labels_form}-fallback") name="fallback_service_id">
                    <option value="" selected=fallback.is_none()>"None: refuse alerts that name no service"</option>
                    {service_options}
                </select>
                <FieldError error=field_error(save, "fallback_service_id") id=format!("{labels_form}-fallback-error") />
            </div>
            <button type="submit" class="button primary">"Save"</button>
        </ActionForm>

        <h3>"Rules"</h3>
        <p class="hint">{format!(
            "When an alert's label has the value (ignoring case), the rule decides. The most severe matching severity rule wins; with none, the incident is {}.",
            UNMAPPED_SEVERITY.label()
        )}</p>
        {rules}
        <div class="rule-forms">
            <ActionForm action=add attr:class="rule-form">
                <h4>"Add a service rule"</h4>
                <input type="hidden" name="source" value=key />
                <FormError error=form_error(add, &["label", "value", "service_id", "severity"]) />
                <Field form=service_rule_form.clone() label="Label" name="label" required=true
                    value=service_rule("label") error=field_error(add, "label") />
                <Field form=service_rule_form.clone() label="Value" name="value" required=true
                    value=service_rule("value") error=field_error(add, "value") />
                <div class="field">
                    <label for=format!("{service_rule_form}-service")>"Service"</label>
                    <select id=format!("{service_rule_form}-service") name="service_id" required>
                        {rule_services}
                    </select>
                    <FieldError error=field_error(add, "service_id") id=format!("{service_rule_form}-service-error") />
                </div>
                <button type="submit" class="button">"Add service rule"</button>
            </ActionForm>
            <ActionForm action=add attr:class="rule-form">
                <h4>"Add a severity rule"</h4>
                <input type="hidden" name="source" value=key />
                <Field form=severity_rule_form.clone() label="Label" name="label" required=true
                    value=severity_rule("label") error=field_error(add, "label") />
                <Field form=severity_rule_form.clone() label="Value" name="value" required=true
                    value=severity_rule("value") error=field_error(add, "value") />
                <div class="field">
                    <label for=format!("{severity_rule_form}-severity")>"Severity"</label>
                    <select id=format!("{severity_rule_form}-severity") name="severity" required>
                        {severities}
                    </select>
                    <FieldError error=field_error(add, "severity") id=format!("{severity_rule_form}-severity-error") />
                </div>
                <button type="submit" class="button">"Add severity rule"</button>
            </ActionForm>
        </div>

        <h3>"Secret"</h3>
        {secret_form}
        <ActionForm action=remove attr:class="inline-form">
            <input type="hidden" name="source" value=key />
            <button type="submit" class="button danger">{format!("Turn {} off", kind.label())}</button>
            <span class="hint">" Its rules are removed; incidents it opened stay."</span>
        </ActionForm>
    }
    .into_any()
}

fn secret_form(
    kind: AlertSourceKind,
    enabled: bool,
    secret: ServerAction<SetAlertSecret>,
) -> AnyView {
    let key = kind.key();
    match kind {
        AlertSourceKind::Alertmanager => view! {
            <ActionForm action=secret attr:class="inline-form">
                <input type="hidden" name="source" value=key />
                <FormError error=form_error(secret, &[]) />
                <button type="submit" class="button primary">
                    {if enabled { "Make a new token" } else { "Turn on and make a token" }}
                </button>
            </ActionForm>
        }
        .into_any(),
        AlertSourceKind::PagerDuty => view! {
            <ActionForm action=secret>
                <input type="hidden" name="source" value=key />
                <FormError error=form_error(secret, &["secret"]) />
                <Field form="pagerduty-secret" label="Signing secret" name="secret" kind="password"
                    autocomplete="off" required=true error=field_error(secret, "secret") />
                <button type="submit" class="button primary">
                    {if enabled { "Replace the signing secret" } else { "Turn on" }}
                </button>
            </ActionForm>
        }
        .into_any(),
    }
}
