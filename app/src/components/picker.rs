//! A field that names one person, team or service out of thousands: type part of a name, pick a
//! suggestion. Without JavaScript it is a text field that the server reads as a name.

use crate::api::action_items::suggest_people;
use crate::api::catalog::{suggest_services, suggest_teams};
use crate::domain::suggest::Suggestion;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use std::time::Duration;

/// How long typing must pause before the field asks for suggestions: a name typed at speed asks
/// once, not once per letter.
const TYPING_PAUSE: Duration = Duration::from_millis(150);

/// What a [`Picker`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    /// Someone who can be given work; picking fills in their label ("Bea Engineer (bea)"), read
    /// by `services::accounts::assignee`.
    Person,
    /// A team, read by `services::catalog::team_named`.
    Team,
    /// A service, read by `services::catalog::service_named`.
    Service,
}

impl Naming {
    async fn suggest(self, query: String) -> Vec<Suggestion> {
        match self {
            Naming::Person => suggest_people(query).await.map(|people| {
                people
                    .into_iter()
                    .map(|p| Suggestion {
                        value: p.label(),
                        text: p.name,
                        detail: p.username,
                    })
                    .collect()
            }),
            Naming::Team => suggest_teams(query).await,
            Naming::Service => suggest_services(query).await,
        }
        .unwrap_or_default()
    }
}

/// A text field with suggestions as one types; whatever it holds is sent as `name`.
#[component]
pub fn Picker(
    /// What it names.
    naming: Naming,
    /// The text field's id, for its label.
    id: String,
    /// The form field it sends.
    name: &'static str,
    /// What it holds at first: a label or name, or what was typed into a refused form.
    #[prop(into)]
    value: String,
    /// Shown while it is empty, such as "Nobody yet".
    #[prop(optional)]
    placeholder: &'static str,
    /// The id of the field's error message.
    #[prop(optional, into)]
    described_by: Option<String>,
) -> impl IntoView {
    let text = RwSignal::new(value.clone());
    let suggestions = RwSignal::new(Vec::<Suggestion>::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    // Answers can arrive out of order; only the one for the latest question is shown.
    let asked = StoredValue::new(0u64);
    let list_id = format!("{id}-suggestions");
    let option_id = {
        let id = id.clone();
        move |i: usize| format!("{id}-suggestion-{i}")
    };

    let ask = move |query: String| {
        let question = asked.get_value() + 1;
        asked.set_value(question);
        leptos::task::spawn_local(async move {
            let found = naming.suggest(query).await;
            if asked.get_value() == question {
                active.set(None);
                open.set(!found.is_empty());
                suggestions.set(found);
            }
        });
    };
    let ask_when_typing_pauses = move |query: String| {
        let question = asked.get_value() + 1;
        asked.set_value(question);
        set_timeout(
            move || {
                // Typed on since, or the field is gone.
                if asked.try_get_value() == Some(question) {
                    ask(query);
                }
            },
            TYPING_PAUSE,
        );
    };
    let pick = move |i: usize| {
        if let Some(chosen) = suggestions.with_untracked(|s| s.get(i).map(|c| c.value.clone())) {
            text.set(chosen);
        }
        open.set(false);
        active.set(None);
    };
    let keydown = move |ev: KeyboardEvent| {
        let count = suggestions.with_untracked(Vec::len);
        let shown = open.get_untracked() && count > 0;
        let at = active.get_untracked();
        match ev.key().as_str() {
            "ArrowDown" if shown => {
                ev.prevent_default();
                active.set(Some(at.map_or(0, |a| (a + 1) % count)));
            }
            "ArrowUp" if shown => {
                ev.prevent_default();
                active.set(Some(at.map_or(count - 1, |a| (a + count - 1) % count)));
            }
            "ArrowDown" => {
                ev.prevent_default();
                ask(text.get_untracked());
            }
            "Enter" if shown && at.is_some() => {
                ev.prevent_default();
                pick(at.unwrap_or_default());
            }
            "Escape" if shown => {
                ev.prevent_default();
                open.set(false);
            }
            _ => {}
        }
    };

    view! {
        <div class="picker">
            <input
                id=id
                type="text"
                name=name
                value=value
                prop:value=move || text.get()
                placeholder=placeholder
                autocomplete="off"
                spellcheck="false"
                role="combobox"
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-activedescendant={
                    let option_id = option_id.clone();
                    move || active.get().map(&option_id)
                }
                aria-describedby=described_by
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    text.set(typed.clone());
                    ask_when_typing_pauses(typed);
                }
                on:blur=move |_| open.set(false)
                on:keydown=keydown
            />
            <ul id=list_id role="listbox" class="suggestions" hidden=move || !open.get()>
                {move || {
                    suggestions
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, suggestion)| {
                            view! {
                                <li
                                    id=option_id(i)
                                    role="option"
                                    aria-selected=move || if active.get() == Some(i) { "true" } else { "false" }
                                    // Picked on mousedown, before the field loses its focus.
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        pick(i);
                                    }
                                >
                                    {suggestion.text}
                                    " "
                                    <span class="detail">{suggestion.detail}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

/// A filter form's field for a person, team or service: its label over a [`Picker`] whose id is
/// `filter-{name}`.
pub fn filter_picker(
    naming: Naming,
    name: &'static str,
    label: &'static str,
    value: Option<String>,
    placeholder: &'static str,
) -> impl IntoView {
    let id = format!("filter-{name}");
    view! {
        <div class="filter">
            <label for=id.clone()>{label}</label>
            <Picker naming id name value=value.unwrap_or_default() placeholder />
        </div>
    }
}
