//! The catalogue page: the services incidents affect and the teams that own them.

use crate::api::catalog::{
    Catalog, CreateService, CreateTeam, RenameTeam, ServiceDto, TeamDto, UpdateService,
    load_catalog,
};
use crate::components::form::{Field, FormError, field_error, form_error, kept_input};
use crate::components::notice::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::Title;

const SERVICE_FIELDS: &[&str] = &["team_id", "name", "slo_target", "runbook_url"];

#[component]
pub fn CatalogPage() -> impl IntoView {
    let create_team = ServerAction::<CreateTeam>::new();
    let rename_team = ServerAction::<RenameTeam>::new();
    let create_service = ServerAction::<CreateService>::new();
    let update_service = ServerAction::<UpdateService>::new();
    let catalog = Resource::new(
        move || {
            (
                create_team.version().get(),
                rename_team.version().get(),
                create_service.version().get(),
                update_service.version().get(),
            )
        },
        |_| load_catalog(),
    );
    view! {
        <Title text="Teams and services" />
        <header class="page-header">
            <h1>"Teams and services"</h1>
            <p class="lede">"The services incidents affect, the teams that own them, and the objectives they run to."</p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match catalog.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(catalog) => view! {
                        <FormError error=form_error(update_service, &[]) />
                        <FormError error=form_error(rename_team, &[]) />
                        <ServicesPanel catalog=catalog.clone() update_service />
                        <TeamsPanel catalog=catalog.clone() rename_team />
                        {catalog.editable.then(|| view! {
                            <div class="columns">
                                <NewServiceForm teams=catalog.teams.clone() action=create_service />
                                <NewTeamForm action=create_team />
                            </div>
                        })}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ServicesPanel(catalog: Catalog, update_service: ServerAction<UpdateService>) -> impl IntoView {
    let editable = catalog.editable;
    let rows = catalog
        .services
        .iter()
        .map(|service| {
            let team = catalog.team_name(service.team_id).to_string();
            view! { <ServiceRow service=service.clone() team teams=catalog.teams.clone() editable action=update_service /> }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>"Services"</h2>
            {if catalog.services.is_empty() {
                view! {
                    <p class="empty">
                        "No services yet. "
                        {if editable { "Add the first one below; incidents are recorded against them." } else { "A manager or admin adds them." }}
                    </p>
                }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"Service"</th>
                                    <th scope="col">"Team"</th>
                                    <th scope="col">"SLO target"</th>
                                    <th scope="col">"Runbook"</th>
                                    {editable.then(|| view! { <th scope="col"><span class="visually-hidden">"Edit"</span></th> })}
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

fn slo_text(percent: Option<f64>) -> String {
    percent.map_or_else(|| "—".to_string(), |p| format!("{p}%"))
}

#[component]
fn ServiceRow(
    service: ServiceDto,
    team: String,
    teams: Vec<TeamDto>,
    editable: bool,
    action: ServerAction<UpdateService>,
) -> impl IntoView {
    let runbook = service
        .runbook_url
        .clone()
        .map(|url| view! { <a href=url rel="noopener noreferrer">"Runbook"</a> });
    let edit = editable.then(|| {
        let key = service.id;
        let slo = service.slo_target_percent.map(|p| p.to_string()).unwrap_or_default();
        let (id, version, team_id) = (service.id.to_string(), service.version.to_string(), service.team_id);
        let (name, runbook) = (service.name.clone(), service.runbook_url.clone().unwrap_or_default());
        view! {
            <td>
                <details class="row-edit">
                    <summary class="button small">"Edit"</summary>
                    <ActionForm action attr:class="stacked-form">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="version" value=version.clone() />
                        <label for=format!("svc-{key}-name")>"Name"</label>
                        <input id=format!("svc-{key}-name") name="name" value=name.clone() required />
                        <label for=format!("svc-{key}-team")>"Team"</label>
                        <select id=format!("svc-{key}-team") name="team_id">
                            {teams.iter().map(|t| view! {
                                <option value=t.id.to_string() selected=t.id == team_id>{t.name.clone()}</option>
                            }).collect_view()}
                        </select>
                        <label for=format!("svc-{key}-slo")>"SLO target (%)"</label>
                        <input id=format!("svc-{key}-slo") name="slo_target" value=slo inputmode="decimal" />
                        <label for=format!("svc-{key}-runbook")>"Runbook URL"</label>
                        <input id=format!("svc-{key}-runbook") name="runbook_url" type="url" value=runbook.clone() />
                        <button type="submit" class="button small primary">"Save"</button>
                    </ActionForm>
                </details>
            </td>
        }
    });
    view! {
        <tr data-service=service.name.clone()>
            <td><strong>{service.name.clone()}</strong></td>
            <td>{team}</td>
            <td>{slo_text(service.slo_target_percent)}</td>
            <td>{runbook.map(IntoAny::into_any).unwrap_or_else(|| view! { <span class="muted">"—"</span> }.into_any())}</td>
            {edit}
        </tr>
    }
}

#[component]
fn TeamsPanel(catalog: Catalog, rename_team: ServerAction<RenameTeam>) -> impl IntoView {
    let editable = catalog.editable;
    let counts = |team_id: i64| {
        catalog
            .services
            .iter()
            .filter(|s| s.team_id == team_id)
            .count()
    };
    let items = catalog
        .teams
        .iter()
        .map(|team| {
            let owned = counts(team.id);
            let id = format!("team-{}-name", team.id);
            let (team_id, version, name) = (team.id.to_string(), team.version.to_string(), team.name.clone());
            let label = format!("New name for {}", team.name);
            view! {
                <li data-team=team.name.clone()>
                    <span><strong>{team.name.clone()}</strong> " " <small class="muted">{format!("{owned} service{}", if owned == 1 { "" } else { "s" })}</small></span>
                    {editable.then(|| view! {
                        <ActionForm action=rename_team attr:class="inline-form">
                            <input type="hidden" name="id" value=team_id.clone() />
                            <input type="hidden" name="version" value=version.clone() />
                            <label class="visually-hidden" for=id.clone()>{label.clone()}</label>
                            <input id=id.clone() name="name" value=name.clone() required />
                            <button type="submit" class="button small">"Rename"</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    let no_teams = catalog.teams.is_empty();
    view! {
        <section class="panel">
            <h2>"Teams"</h2>
            {if no_teams {
                view! { <p class="empty">"No teams yet."</p> }.into_any()
            } else {
                view! { <ul class="team-list">{items}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
fn NewServiceForm(teams: Vec<TeamDto>, action: ServerAction<CreateService>) -> impl IntoView {
    let no_teams = teams.is_empty();
    view! {
        <section class="panel">
            <h2>"Add a service"</h2>
            {no_teams.then(|| view! { <p class="hint">"Add a team first: every service has an owner."</p> })}
            <ActionForm action>
                <FormError error=form_error(action, SERVICE_FIELDS) />
                <Field form="new-service" label="Name" name="name" value={kept_input::<CreateService>("name")} required=true error=field_error(action, "name") />
                <div class="field">
                    <label for="new-service-team_id">"Team"</label>
                    <select id="new-service-team_id" name="team_id" required>
                        {teams.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                    </select>
                    {move || field_error(action, "team_id").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </div>
                <Field form="new-service" label="SLO target (%)" name="slo_target" value={kept_input::<CreateService>("slo_target")} hint="Optional, such as 99.9."
                    error=field_error(action, "slo_target") />
                <Field form="new-service" label="Runbook URL" name="runbook_url" value={kept_input::<CreateService>("runbook_url")} kind="url" hint="Optional."
                    error=field_error(action, "runbook_url") />
                <button type="submit" class="button primary" disabled=no_teams>"Add service"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn NewTeamForm(action: ServerAction<CreateTeam>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Add a team"</h2>
            <ActionForm action>
                <FormError error=form_error(action, &["name"]) />
                <Field form="new-team" label="Team name" name="name" value={kept_input::<CreateTeam>("name")} required=true error=field_error(action, "name") />
                <button type="submit" class="button primary">"Add team"</button>
            </ActionForm>
        </section>
    }
}
