//! How an action item looks wherever it is listed: its state, what needs attention, and a row.

use crate::api::action_items::ActionItemRow;
use crate::domain::action_item::{ActionState, Standing};
use leptos::prelude::*;

pub fn state_badge(state: ActionState) -> impl IntoView {
    view! { <span class=format!("badge item-state {}", state.key())>{state.label()}</span> }
}

pub fn standing_badge(standing: Option<Standing>) -> impl IntoView {
    standing.map(|s| {
        view! { " " <span class=format!("badge standing {}", s.key())>{s.label()}</span> }
    })
}

/// A table of items; with `selectable` naming a form's id, each row has a checkbox named
/// `ids[]` for that form.
#[component]
pub fn ItemsTable(
    items: Vec<ActionItemRow>,
    #[prop(optional)] selectable: &'static str,
    #[prop(optional)] show_incident: bool,
) -> impl IntoView {
    let selectable = (!selectable.is_empty()).then_some(selectable);
    view! {
        <div class="table-wrap">
            <table class="table items">
                <thead><tr>
                    {selectable.map(|_| view! { <th scope="col"><span class="visually-hidden">"Select"</span></th> })}
                    <th scope="col">"Item"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Owner"</th>
                    <th scope="col">"Priority"</th>
                    <th scope="col">"Due"</th>
                    {show_incident.then(|| view! { <th scope="col">"Incident"</th> })}
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|item| {
                        let id = item.id;
                        let check_id = format!("select-{id}");
                        let label_for = check_id.clone();
                        view! {
                            <tr data-item=id.to_string() class:overdue=item.standing == Some(Standing::Overdue)>
                                {selectable.map(|form| view! {
                                    <td>
                                        <label class="visually-hidden" for=label_for.clone()>{format!("Select “{}”", item.title)}</label>
                                        <input type="checkbox" id=check_id.clone() form=form name="ids[]" value=id.to_string() />
                                    </td>
                                })}
                                <td>
                                    <a href=format!("/action-items/{id}")>{item.title.clone()}</a>
                                    <span class="muted">{format!(" {} · {}", item.action_type.label(), item.team.clone().or(item.service.clone()).unwrap_or_default())}</span>
                                    {item.tracker_key.clone().zip(item.tracker_url.clone()).map(|(key, url)| view! {
                                        " " <a class="tracker" href=url rel="noopener noreferrer" target="_blank">{key}</a>
                                    })}
                                </td>
                                <td>{state_badge(item.state)}{standing_badge(item.standing)}
                                    {item.outcome.map(|o| view! { " " <span class=format!("badge outcome {}", o.key())>{o.label()}</span> })}
                                </td>
                                <td>{item.owner.clone().unwrap_or_else(|| "—".into())}</td>
                                <td>{item.priority.label()}</td>
                                <td>{match (item.state, item.verify_on, item.due_on) {
                                    (ActionState::Done, Some(on), _) => format!("verify {on}"),
                                    (_, _, Some(due)) => due.to_string(),
                                    _ => "—".into(),
                                }}</td>
                                {show_incident.then(|| view! {
                                    <td><a href=format!("/incidents/{}", item.incident_id)>{format!("#{} {}", item.incident_id, item.incident_title)}</a></td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
