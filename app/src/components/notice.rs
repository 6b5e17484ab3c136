//! How a page says that something failed; on the server it also sets the response status.

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(
            http::StatusCode::from_u16(error.status_code())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    let title = match &error {
        AppError::Forbidden => "Not allowed",
        AppError::NotFound => "Not found",
        AppError::Unauthenticated => "Signed out",
        _ => "Something went wrong",
    };
    let signed_out = matches!(error, AppError::Unauthenticated);
    view! {
        <section class="notice" role="alert">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            {signed_out.then(|| view! { <a class="button primary" href="/login" rel="external">"Sign in"</a> })}
        </section>
    }
}
