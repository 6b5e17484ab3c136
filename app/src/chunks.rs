//! The wasm chunks a server-rendered page names in its `<head>`, so that the browser fetches the
//! page's code while it reads the HTML instead of after the shell has started.
//!
//! A build with `--split` writes a manifest: for each group of pages (each `#[lazy]` function,
//! keyed by its name and a number the macro derives from where it is written), the chunk files
//! that group needs. The server reads it once and provides it to every render; each page's route
//! announces its group's chunks as it renders.

use leptos::prelude::*;
use leptos_meta::Link;
use std::collections::HashMap;
use std::sync::Arc;

/// The split build's chunks by group of pages, and the script that loads them.
#[derive(Clone, Debug, Default)]
pub struct PageChunks {
    /// The URL path the built files are served under, such as `/pkg`.
    pkg_path: String,
    /// The chunk loader's file name.
    loader: String,
    groups: Arc<HashMap<String, Vec<String>>>,
}

impl PageChunks {
    /// Reads a split manifest: a JSON object from each lazy function's key to the file stems
    /// (without `.wasm`) it needs.
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

    /// The chunk files the pages of `group` need. The manifest keys a group by its function's
    /// name, `_` and a number; a key that matches twice would be ambiguous, so it gives none.
    pub fn of_group(&self, group: &str) -> &[String] {
        let mut keys = self.groups.iter().filter(|(key, _)| {
            key.strip_prefix(group)
                .and_then(|rest| rest.strip_prefix('_'))
                .is_some_and(|number| {
                    !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
                })
        });
        match (keys.next(), keys.next()) {
            (Some((_, files)), None) => files,
            _ => &[],
        }
    }
}

/// Adds to the page's `<head>` a preload of each chunk that `group`'s pages need, and of the
/// loader that runs them. Called while the page renders on the server.
///
/// leptos adds such links itself, but from outside the render's reactive owner, where it finds
/// the build's manifest and the page's `<head>` in some renders only (19 of 40 renders of one
/// page, on a release build). The server gives every render a list of the lazy functions it
/// runs in place of leptos's own, which turns that off, and this takes its place.
///
/// The links are registered before the page's own head tags. leptos_meta hydrates head tags in
/// the order the server wrote them, so a page that adds a `<Link>` or `<Meta>` of its own (none
/// does; `<Title>` is kept apart) would first have to move this after its view.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_finds_its_own_chunks_and_not_those_of_a_group_whose_name_starts_like_it() {
        let chunks = PageChunks::from_manifest(
            "/pkg/",
            "__wasm_split.Ab.js",
            r#"{
                "incident_pages_1234": ["chunk_0", "split_incident"],
                "incident_pages_form_99": ["chunk_0", "split_form"],
                "admin_pages_7": ["split_admin"]
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

    #[test]
    fn a_group_the_manifest_names_twice_gets_no_chunks() {
        let chunks = PageChunks::from_manifest(
            "/pkg",
            "__wasm_split.Ab.js",
            r#"{"entry_pages_1": ["a"], "entry_pages_2": ["b"]}"#,
        )
        .unwrap();
        assert!(chunks.of_group("entry_pages").is_empty());
    }
}
