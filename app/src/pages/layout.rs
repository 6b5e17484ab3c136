//! Every signed-in page sits in this layout: it finds out who is asking and frames the page.
//! The page is rendered beside the wait for the person, not inside it: what a `Suspend` builds
//! is built again each time the server checks it for pending work, and a page built twice
//! loads its data twice.

use crate::api::accounts::{Me, who_am_i};
use crate::components::notice::ErrorNotice;
use crate::components::shell::{Frame, UnreadNotices};
use crate::domain::links::urlencode;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_location;

/// Who is signed in, loaded once by the layout, for the pages that show it.
#[derive(Clone, Copy)]
pub struct SignedIn(pub Resource<Result<Option<Me>, AppError>>);

/// The signed-in person, once known.
pub fn signed_in() -> Resource<Result<Option<Me>, AppError>> {
    expect_context::<SignedIn>().0
}

#[component]
pub fn SignedInLayout() -> impl IntoView {
    let me = Resource::new(|| (), |_| who_am_i());
    provide_context(SignedIn(me));
    let unread = UnreadNotices(RwSignal::new(0));
    provide_context(unread);
    let location = use_location();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <div class="shell">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => {
                            unread.0.set(me.unread_notices);
                            view! { <Frame me /> }.into_any()
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
            <main class="content" id="main"><Outlet /></main>
        </div>
    }
}
