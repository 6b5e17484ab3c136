//! The wasm chunks of each group of pages: on the server, the ones a page names in its `<head>`,
//! so that the browser fetches the page's code while it reads the HTML instead of after the shell
//! has started; in the browser, what a page does when its chunk cannot be fetched.
//!
//! A build with `--split` writes a manifest: for each group of pages (each split point, keyed by
//! the group's name), the chunk files that group needs. The server reads it once and provides it
//! to every render; each page's route announces its group's chunks as it renders.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::Link;
#[cfg(feature = "ssr")]
use std::collections::HashMap;
#[cfg(feature = "ssr")]
use std::sync::Arc;

/// The split build's chunks by group of pages, and the script that loads them.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default)]
pub struct PageChunks {
    /// The URL path the built files are served under, such as `/pkg`.
    pkg_path: String,
    /// The chunk loader's file name.
    loader: String,
    groups: Arc<HashMap<String, Vec<String>>>,
}

#[cfg(feature = "ssr")]
impl PageChunks {
    /// Reads a split manifest: a JSON object from each group's name to the file stems (without
    /// `.wasm`) it needs.
    pub fn from_manifest(
        pkg_path: &str,
        loader: &str,
        manifest: &str,
    ) -> Result<PageChunks, serde_json::Error> {
        Ok(PageChunks {
            pkg_path: pkg_path.trim_end_matches('/').to_string(),
            loader: loader.to_string(),
            groups: Arc::new(serde_json::from_str(manifest)?),
        })
    }

    /// The URL of the script that loads the chunks.
    pub fn loader(&self) -> String {
        format!("{}/{}", self.pkg_path, self.loader)
    }

    /// The chunk files the pages of `group` need; none for a group the manifest does not name.
    pub fn of_group(&self, group: &str) -> &[String] {
        self.groups.get(group).map_or(&[], Vec::as_slice)
    }
}

/// Adds to the page's `<head>` a preload of each chunk that `group`'s pages need, and of the
/// loader that runs them. Called while the page renders on the server.
///
/// leptos adds such links for its own `#[lazy]` functions, but from outside the render's reactive
/// owner, where it finds the build's manifest and the page's `<head>` in some renders only (19 of
/// 40 renders of one page, on a release build). The pages' split points are not `#[lazy]`, so
/// leptos finds none to announce, and this takes its place.
///
/// The links are registered before the page's own head tags. leptos_meta hydrates head tags in
/// the order the server wrote them, so a page that adds a `<Link>` or `<Meta>` of its own (none
/// does; `<Title>` is kept apart) would first have to move this after its view.
#[cfg(feature = "ssr")]
pub fn announce(group: &str) {
    let Some(chunks) = use_context::<PageChunks>() else {
        return;
    };
    let files = chunks.of_group(group);
    if files.is_empty() {
        return;
    }
    let pkg = &chunks.pkg_path;
    for file in files {
        // The loader fetches each chunk with `fetch()`: a CORS request with same-origin
        // credentials, which is what `crossorigin="anonymous"` makes the preload.
        _ = view! {
            <Link
                rel="preload"
                href=format!("{pkg}/{file}.wasm")
                as_="fetch"
                type_="application/wasm"
                crossorigin="anonymous"
            />
        }
        .to_html();
    }
    let nonce = leptos::nonce::use_nonce().map(|nonce| nonce.to_string());
    _ = view! { <Link rel="modulepreload" href=chunks.loader() {..} nonce=nonce /> }.to_html();
}

/// What a page does when its group's chunk could not be fetched.
///
/// The likeliest cause is an upgrade since this document was loaded: its shell names chunks of
/// the build before, which the server no longer has. Loading the page's address anew brings the
/// new shell and its chunks, so that is tried once per address (remembered for a minute in the
/// tab's session storage); a chunk still missing after that is not a matter of the upgrade, and
/// loading again would only loop.
#[cfg(feature = "hydrate")]
pub struct Failure {
    /// The address of the page. While the router moves to a page, the address bar still shows
    /// the page it leaves.
    destination: String,
    /// Whether the page is the one the server rendered into this document, not yet hydrated.
    hydrating: bool,
}

#[cfg(feature = "hydrate")]
impl Failure {
    /// Where a page is shown, taken before its chunk is asked for.
    pub fn here() -> Failure {
        let url = leptos_router::hooks::use_url().get_untracked();
        let mut destination = url.path().to_string();
        if !url.search().is_empty() {
            destination.push('?');
            destination.push_str(url.search());
        }
        if !url.hash().is_empty() && !url.hash().starts_with('#') {
            destination.push('#');
        }
        destination.push_str(url.hash());
        Failure {
            destination,
            hydrating: Owner::current_shared_context().is_some_and(|sc| sc.during_hydration()),
        }
    }

    /// For the page the server rendered, before it is hydrated (hydration cannot wait for the
    /// page's view, so this never returns for it): the page is loaded anew, or, when that was
    /// just done, the server's HTML stays as it is. Its forms work without the application, and
    /// its links are left to the browser: the router, which would take them over, waits for the
    /// page for good.
    pub async fn before_hydration(self) {
        if !self.hydrating {
            return;
        }
        if !load_again(&self.destination, true) {
            leave_links_to_the_browser();
        }
        std::future::pending::<()>().await;
    }

    /// The view of a page the router moves to. While the browser loads the address anew, the
    /// page being left stays as it is; when that was just done, the page says what happened.
    pub async fn shown(self) -> AnyView {
        if load_again(&self.destination, self.hydrating) {
            std::future::pending::<()>().await;
        }
        let destination = self.destination;
        view! {
            <section class="notice" role="alert">
                <h1>"This page could not be loaded"</h1>
                <p>
                    "Its code did not arrive. Hindsight may have been upgraded since this tab "
                    "was opened, or the connection dropped."
                </p>
                <a class="button primary" href=destination rel="external">
                    "Load the page again"
                </a>
            </section>
        }
        .into_any()
    }
}

/// The session storage entry that remembers when, and for which address, a page was last loaded
/// anew because its chunk was missing: `{milliseconds since 1970} {address}`.
#[cfg(feature = "hydrate")]
const RELOADED: &str = "hindsight.reloaded-for";

/// Starts loading `destination` anew, unless that was done for it less than a minute ago (or the
/// tab keeps no session storage, which leaves nothing to stop a loop with). The page being
/// hydrated is the one in the address bar, which is reloaded: assigning an address that differs
/// from the current one only by its `#fragment` would just scroll.
///
/// This is the shell's code, and small changes to it have moved the text of every page into the
/// shell's data: the warning written with `leptos::logging::warn!`, or the time read without
/// Rust's float parsing (BENCHMARKS.md, "What is in the shell"). An end-to-end test checks the
/// shell for pages' text.
#[cfg(feature = "hydrate")]
fn load_again(destination: &str, hydrating: bool) -> bool {
    let window = window();
    let Ok(Some(storage)) = window.session_storage() else {
        return false;
    };
    let now = js_sys::Date::now();
    let recently = storage
        .get_item(RELOADED)
        .ok()
        .flatten()
        .is_some_and(|last| {
            last.split_once(' ').is_some_and(|(at, address)| {
                address == destination && at.parse::<f64>().is_ok_and(|at| now - at < 60_000.0)
            })
        });
    if recently {
        let warning = [
            "The code for ",
            destination,
            " could not be loaded again after loading the page anew.",
        ];
        web_sys::console::warn_1(&warning.concat().into());
        return false;
    }
    storage
        .set_item(RELOADED, &format!("{now} {destination}"))
        .is_ok()
        && if hydrating {
            window.location().reload().is_ok()
        } else {
            window.location().assign(destination).is_ok()
        }
}

/// Keeps clicks from the router's listener on the window, so that the browser follows links as
/// in a page without scripts.
#[cfg(feature = "hydrate")]
fn leave_links_to_the_browser() {
    use wasm_bindgen::{JsCast, closure::Closure};
    let stop = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        event.stop_propagation();
    });
    _ = document().add_event_listener_with_callback("click", stop.as_ref().unchecked_ref());
    stop.forget();
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_group_finds_its_own_chunks_and_not_those_of_a_group_whose_name_starts_like_it() {
        let chunks = PageChunks::from_manifest(
            "/pkg/",
            "__wasm_split.Ab.js",
            r#"{
                "incident_pages": ["chunk_0", "split_incident"],
                "incident_pages_form": ["chunk_0", "split_form"],
                "admin_pages": ["split_admin"]
            }"#,
        )
        .unwrap();
        assert_eq!(
            chunks.of_group("incident_pages"),
            ["chunk_0", "split_incident"]
        );
        assert_eq!(chunks.of_group("admin_pages"), ["split_admin"]);
        assert!(chunks.of_group("admin").is_empty());
        assert!(chunks.of_group("retro_pages").is_empty());
        assert_eq!(chunks.loader(), "/pkg/__wasm_split.Ab.js");
    }
}
