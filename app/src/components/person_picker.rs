//! A field that names one person out of thousands: type part of a name or username, pick a
//! suggestion. Without JavaScript it is a text field that the server reads as a name.

use crate::api::action_items::{Person, suggest_people};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

/// A text field for a person, with suggestions as one types. Choosing one fills in their label
/// ("Bea Engineer (bea)"); whatever it holds is sent as `name` and read by
/// `services::accounts::assignee`.
#[component]
pub fn PersonPicker(
    /// The text field's id, for its label.
    id: String,
    /// The form field it sends.
    name: &'static str,
    /// What it holds at first: a person's label, or what was typed into a refused form.
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
    let suggestions = RwSignal::new(Vec::<Person>::new());
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
            let found = suggest_people(query).await.unwrap_or_default();
            if asked.get_value() == question {
                active.set(None);
                open.set(!found.is_empty());
                suggestions.set(found);
            }
        });
    };
    let pick = move |i: usize| {
        if let Some(person) = suggestions.with_untracked(|s| s.get(i).cloned()) {
            text.set(person.label());
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
        <div class="person-picker">
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
                    ask(typed);
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
                        .map(|(i, person)| {
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
                                    {person.name}
                                    " "
                                    <span class="username">{person.username}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
