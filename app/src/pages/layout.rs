//! Every signed-in page sits in this layout: it finds out who is asking and frames the page.

use crate::api::accounts::who_am_i;
use crate::components::{notice::ErrorNotice, shell::Shell};
use crate::domain::links::urlencode;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_location;

#[component]
pub fn SignedInLayout() -> impl IntoView {
    let me = Resource::new(|| (), |_| who_am_i());
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => {
                        provide_context(me.clone());
                        view! { <Shell me><Outlet /></Shell> }.into_any()
                    }
                    Ok(None) => {
                        let next = location.pathname.get_untracked();
                        let path = format!("/login?next={}", urlencode(&next));
                        view! { <Redirect path /> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
