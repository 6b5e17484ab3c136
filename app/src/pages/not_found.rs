use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Title text="Not found" />
        <main class="auth-page">
            <div class="auth-card">
                <ErrorNotice error=AppError::NotFound />
                <a href="/">"Back to Hindsight"</a>
            </div>
        </main>
    }
}
