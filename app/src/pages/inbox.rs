//! The inbox: items assigned to you, yours that became overdue, and yours to verify.

use crate::api::action_items::{MarkNoticesRead, load_inbox};
use crate::components::action_items::{standing_badge, state_badge};
use crate::components::notice::ErrorNotice;
use crate::components::shell::UnreadNotices;
use crate::domain::action_item::NoticeKind;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn InboxPage() -> impl IntoView {
    let read = ServerAction::<MarkNoticesRead>::new();
    let inbox = Resource::new(move || read.version().get(), |_| load_inbox());
    let unread = use_context::<UnreadNotices>();
    Effect::new(move |_| {
        if let (Some(Ok(inbox)), Some(unread)) = (inbox.get(), unread) {
            unread.0.set(inbox.unread);
        }
    });
    view! {
        <Title text="Inbox" />
        <header class="page-header">
            <h1>"Inbox"</h1>
            <p class="lede">"Items given to you, yours that became overdue, and yours whose verification has come."</p>
        </header>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match inbox.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(inbox) if inbox.notices.is_empty() => view! {
                        <section class="panel"><p class="empty">"Nothing here yet."</p></section>
                    }.into_any(),
                    Ok(inbox) => view! {
                        <section class="panel">
                            <p class="count" role="status">{format!("{} unread", inbox.unread)}</p>
                            {(inbox.unread > 0).then(|| view! {
                                <ActionForm action=read>
                                    <button type="submit" class="button small">"Mark all as read"</button>
                                </ActionForm>
                            })}
                            <ul class="inbox">
                                {inbox.notices.into_iter().map(|n| {
                                    let kind = match n.kind {
                                        NoticeKind::Assigned => "Given to you",
                                        NoticeKind::Overdue => "Overdue",
                                        NoticeKind::AwaitingVerification => "Yours to verify",
                                    };
                                    view! {
                                        <li class:unread=n.unread data-notice=n.kind.key()>
                                            <span class=format!("badge notice-kind {}", n.kind.key())>{kind}</span>
                                            " " <a href=format!("/action-items/{}", n.item.id)>{n.item.title.clone()}</a>
                                            " " {state_badge(n.item.state)}{standing_badge(n.item.standing)}
                                            <span class="muted">{format!(" · {}", n.at)}</span>
                                            {n.unread.then(|| view! {
                                                <ActionForm action=read attr:class="inline-form">
                                                    <input type="hidden" name="id" value=n.id.to_string() />
                                                    <button type="submit" class="link-button">"Mark read"</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
