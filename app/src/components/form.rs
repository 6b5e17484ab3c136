//! Form fields with their label, hint and error next to them, wired to a server action's result.

use crate::domain::NewPassword;
use crate::domain::links::{KEPT_INPUT_PARAM, parse_form};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// The message for `field` from the action's last failure, if it was about that field.
pub fn field_error<S>(action: ServerAction<S>, field: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|value| match value {
            Some(Err(err)) => err.for_field(field),
            _ => None,
        })
    })
}

/// The action's last failure when no field of `fields` shows it.
pub fn form_error<S>(
    action: ServerAction<S>,
    fields: &'static [&'static str],
) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|value| match value {
            Some(Err(AppError::Validation { field, .. })) if fields.contains(&field.as_str()) => {
                None
            }
            Some(Err(err)) => Some(err.to_string()),
            _ => None,
        })
    })
}

/// What was typed into `field` of the form for `S` when it was last sent without JavaScript and
/// refused; the server carries it back in the query (see the server's `forms` layer).
pub fn kept_input<S: ServerFn>(field: &str) -> Option<String> {
    let query = use_query_map();
    query.with_untracked(|q| {
        if q.get_str("__path") != Some(S::PATH) {
            return None;
        }
        let typed = parse_form(q.get_str(KEPT_INPUT_PARAM)?);
        typed
            .into_iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value)
    })
}

/// Every value typed into `field` (a group of checkboxes) when the form for `S` was last refused.
pub fn kept_inputs<S: ServerFn>(field: &str) -> Option<Vec<String>> {
    let query = use_query_map();
    query.with_untracked(|q| {
        if q.get_str("__path") != Some(S::PATH) {
            return None;
        }
        let typed = parse_form(q.get_str(KEPT_INPUT_PARAM)?);
        Some(
            typed
                .into_iter()
                .filter(|(name, _)| name == field)
                .map(|(_, value)| value)
                .collect(),
        )
    })
}

/// What was typed into `field` when the form for `S` was last refused, or else `value`.
pub fn kept_or<S: ServerFn>(field: &str, value: &str) -> String {
    kept_input::<S>(field).unwrap_or_else(|| value.to_string())
}

/// The action's last result, if it succeeded.
pub fn succeeded<S>(action: ServerAction<S>) -> Signal<Option<S::Output>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .with(|value| value.clone().and_then(Result::ok))
    })
}

#[component]
pub fn Field(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(into, optional)] hint: Option<String>,
    /// The initial value; `None` leaves the field empty.
    #[prop(optional_no_strip)]
    value: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    #[prop(into)] error: Signal<Option<String>>,
    /// Distinguishes the ids of two forms on one page that share a field name.
    #[prop(optional, into)]
    form: Option<String>,
) -> impl IntoView {
    let id = match form {
        Some(form) => format!("{form}-{name}"),
        None => format!("field-{name}"),
    };
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                name=name
                type=kind
                step=(kind == "datetime-local").then_some("1")
                autocomplete=autocomplete
                value=value
                required=required
                autofocus=autofocus
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
            />
            {move || error.get().map(|message| view! {
                <p class="field-error" id=error_id.clone() role="alert">{message}</p>
            })}
        </div>
    }
}

/// A failure that belongs to the whole form rather than one field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|message| view! { <div class="alert error" role="alert">{message}</div> })
    }
}

/// A new password and its repetition, with the length rule as the hint.
#[component]
pub fn NewPasswordFields(
    label: &'static str,
    name: &'static str,
    confirm_label: &'static str,
    confirm_name: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] confirm_error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <Field label=label name=name kind="password" autocomplete="new-password" required=true
            hint=format!("At least {} characters.", NewPassword::MIN_CHARS) error />
        <Field label=confirm_label name=confirm_name kind="password" autocomplete="new-password"
            required=true error=confirm_error />
    }
}

/// The error line under a field that is not a plain input (a select, a group of choices).
#[component]
pub fn FieldError(#[prop(into)] error: Signal<Option<String>>, id: String) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! { <p class="field-error" id=id.clone() role="alert">{message}</p> }
        })
    }
}
