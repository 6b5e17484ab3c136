//! The built site's files under `/pkg/`: which of them are named by their content, and which
//! wasm chunks each group of pages needs.
//!
//! A release build (`LEPTOS_HASH_FILES=true cargo leptos build`) puts the MD5 of each file's
//! content in its name and lists the names of the main JS, wasm and CSS, the chunk loader and
//! the chunk manifest in `hash.txt` beside the binary. cargo-leptos names the main JS and wasm
//! before it writes the chunk loader's final name into them, so a build that changes only a chunk
//! keeps their names with new content; only a file whose name matches its content may be kept by
//! browsers for good.

use app::chunks::PageChunks;
use axum::extract::{OriginalUri, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use http::{HeaderValue, Method, StatusCode, header};
use leptos::config::LeptosOptions;
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// One built file under `/pkg/`, as read at start.
#[derive(Clone, Debug)]
struct BuiltFile {
    /// Its entity tag, from the MD5 of its content. Weak, because the same content is sent as
    /// brotli, as gzip or as it is.
    tag: HeaderValue,
    /// Whether its name carries that MD5: it never changes, and browsers may keep it for good.
    named_by_content: bool,
    /// Where it is, and its size and date when it was read: a file rewritten since (by
    /// `cargo leptos watch`, which rebuilds beside a running server) no longer has that tag.
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

impl BuiltFile {
    fn unchanged(&self) -> bool {
        std::fs::metadata(&self.path)
            .is_ok_and(|now| now.len() == self.len && now.modified().ok() == self.modified)
    }
}

/// What the server knows of the built files under `/pkg/`, read once at start.
#[derive(Clone, Debug, Default)]
pub struct BuiltFiles {
    /// By `/pkg/...` path.
    files: HashMap<String, BuiltFile>,
}

impl BuiltFiles {
    /// Reads every file under `site_root/pkg_dir` but the build's compressed copies, which are
    /// sent in place of the file they copy. `hashed` says whether the build named its files by
    /// their content; without it no name is taken to say what its file holds.
    pub fn read(site_root: &Path, pkg_dir: &str, hashed: bool) -> BuiltFiles {
        let mut files = HashMap::new();
        let mut dirs = vec![(site_root.join(pkg_dir), format!("/{pkg_dir}"))];
        while let Some((dir, url)) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for path in entries.flatten().map(|entry| entry.path()) {
                let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
                    continue;
                };
                let url = format!("{url}/{name}");
                if path.is_dir() {
                    dirs.push((path, url));
                    continue;
                }
                if name.ends_with(".br") || name.ends_with(".gz") {
                    continue;
                }
                let (Ok(meta), Ok(content)) = (std::fs::metadata(&path), std::fs::read(&path))
                else {
                    continue;
                };
                let digest =
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Md5::digest(content));
                let Ok(tag) = HeaderValue::from_str(&format!("W/\"{digest}\"")) else {
                    continue;
                };
                let named_by_content = hashed && name.contains(&format!(".{digest}."));
                files.insert(
                    url,
                    BuiltFile {
                        tag,
                        named_by_content,
                        len: meta.len(),
                        modified: meta.modified().ok(),
                        path,
                    },
                );
            }
        }
        BuiltFiles { files }
    }

    /// Whether the file at `path` carries the MD5 of what it holds in its name.
    pub fn named_by_content(&self, path: &str) -> bool {
        self.files
            .get(path)
            .is_some_and(|file| file.named_by_content)
    }

    /// The tag of the file at `path`, while it holds what it held when it was read.
    fn tag(&self, path: &str) -> Option<&HeaderValue> {
        self.files
            .get(path)
            .filter(|file| file.unchanged())
            .map(|file| &file.tag)
    }
}

/// A tag without its weakness mark, as a weak comparison (RFC 9110) compares it.
fn opaque(tag: &str) -> &str {
    tag.trim().trim_start_matches("W/")
}

/// Whether an `If-None-Match` list names `tag`.
fn names_tag(if_none_match: &HeaderValue, tag: &HeaderValue) -> bool {
    let (Ok(asked), Ok(tag)) = (if_none_match.to_str(), tag.to_str()) else {
        return false;
    };
    asked
        .split(',')
        .any(|candidate| candidate.trim() == "*" || opaque(candidate) == opaque(tag))
}

/// Answers for a built file by its content rather than its date. A browser that names the copy
/// it holds by tag gets 304 only when that copy is this file; any other asks for the whole file,
/// whatever the dates say: a build that keeps a file's name and date (a reproducible build, a
/// rollback) may still have changed what it holds. Every whole file sent carries its tag. A file
/// rewritten since the server started (by `cargo leptos watch`) has no tag, and is answered by
/// its date.
pub async fn revalidate(
    State(files): State<Arc<BuiltFiles>>,
    mut req: Request,
    next: Next,
) -> Response {
    let tag = {
        let uri = req
            .extensions()
            .get::<OriginalUri>()
            .map_or(req.uri(), |uri| &uri.0);
        files.tag(uri.path()).cloned()
    };
    let Some(tag) = tag else {
        return next.run(req).await;
    };
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        if req
            .headers()
            .get(header::IF_NONE_MATCH)
            .is_some_and(|asked| names_tag(asked, &tag))
        {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
        }
        req.headers_mut().remove(header::IF_MODIFIED_SINCE);
    }
    let mut res = next.run(req).await;
    if res.status() == StatusCode::OK {
        res.headers_mut().insert(header::ETAG, tag);
    }
    res
}

/// The directory of the running binary, where a build puts `hash.txt`.
pub fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()?
        .parent()
        .map(Path::to_path_buf)
}

/// The files a build's `hash.txt` names, by kind: `js`, `wasm`, `css`, `split` (the chunk
/// loader) and `manifest` (the chunks each group of pages needs).
fn listed_files<'a>(list: &'a str, output_name: &str) -> Vec<(&'a str, String)> {
    list.lines()
        .filter_map(|line| {
            let (kind, hash) = line.split_once(':')?;
            let (kind, hash) = (kind.trim(), hash.trim());
            let file = match kind {
                "js" => format!("{output_name}.{hash}.js"),
                "wasm" => format!("{output_name}.{hash}.wasm"),
                "css" => format!("{output_name}.{hash}.css"),
                "split" => format!("__wasm_split.{hash}.js"),
                "manifest" => format!("__wasm_split_manifest.{hash}.json"),
                _ => return None,
            };
            Some((kind, file))
        })
        .collect()
}

/// Whether the build that made `site_root` named its files by their content, for a binary not
/// started by cargo-leptos (which says so itself): the list of names `hash.txt` is beside the
/// binary and every file it names is in the site. A list that names files the site does not hold
/// comes from another build; it is reported and not used.
pub fn hashed_build(
    exe_dir: &Path,
    hash_file: &str,
    site_root: &Path,
    pkg_dir: &str,
    output_name: &str,
) -> bool {
    let list = exe_dir.join(hash_file);
    let Ok(names) = std::fs::read_to_string(&list) else {
        return false;
    };
    let pkg = site_root.join(pkg_dir);
    let missing: Vec<String> = listed_files(&names, output_name)
        .into_iter()
        .filter_map(|(_, file)| (!pkg.join(&file).is_file()).then_some(file))
        .collect();
    if !missing.is_empty() {
        tracing::error!(
            list = %list.display(),
            site = %site_root.display(),
            missing = %missing.join(", "),
            "the list of built files beside the binary names files the site does not hold; \
             serve the site of the same build"
        );
    }
    missing.is_empty()
}

/// The chunks each group of pages needs, from the manifest of a build with `--split`: named in
/// `hash.txt` in `exe_dir` when the build named its files by content, under its plain name
/// otherwise. A build without a manifest has no chunks to name; a manifest that cannot be read is
/// reported, and pages then load their chunks without the hint.
pub fn page_chunks(options: &LeptosOptions, exe_dir: &Path) -> PageChunks {
    let (mut loader, mut manifest) = (
        "__wasm_split.______________________.js".to_string(),
        "__wasm_split_manifest.json".to_string(),
    );
    if options.hash_files {
        let list = std::fs::read_to_string(exe_dir.join(&*options.hash_file)).unwrap_or_default();
        let listed = listed_files(&list, &options.output_name);
        let named = |kind: &str| {
            listed
                .iter()
                .find(|(listed, _)| *listed == kind)
                .map(|(_, file)| file.clone())
        };
        // A list without them comes from a build without `--split`: any manifest in the site
        // is not this build's.
        let (Some(listed_loader), Some(listed_manifest)) = (named("split"), named("manifest"))
        else {
            return PageChunks::default();
        };
        (loader, manifest) = (listed_loader, listed_manifest);
    }
    let path = Path::new(&*options.site_root)
        .join(&*options.site_pkg_dir)
        .join(&manifest);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return PageChunks::default();
    };
    PageChunks::from_manifest(&format!("/{}", options.site_pkg_dir), &loader, &text).unwrap_or_else(
        |err| {
            tracing::error!(manifest = %path.display(), %err, "the chunk manifest is not readable");
            PageChunks::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_counts_as_hashed_only_when_its_list_names_files_the_site_holds() {
        let bin = tempfile::tempdir().unwrap();
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(site.path().join("pkg")).unwrap();
        for file in [
            "hindsight.Ab12.js",
            "hindsight.Cd34.wasm",
            "__wasm_split.Ef56.js",
        ] {
            std::fs::write(site.path().join("pkg").join(file), "").unwrap();
        }
        let hashed = || hashed_build(bin.path(), "hash.txt", site.path(), "pkg", "hindsight");

        assert!(!hashed(), "no list: a build without hashed names");
        std::fs::write(
            bin.path().join("hash.txt"),
            "js: Ab12\nwasm: Cd34\nsplit: Ef56\n",
        )
        .unwrap();
        assert!(hashed());
        std::fs::write(
            bin.path().join("hash.txt"),
            "js: Ab12\nwasm: Cd34\nsplit: Zz99\n",
        )
        .unwrap();
        assert!(!hashed(), "a list from another build");
    }

    #[test]
    fn a_hashed_build_finds_its_chunk_manifest_and_loader_by_the_names_in_its_list() {
        let bin = tempfile::tempdir().unwrap();
        let site = tempfile::tempdir().unwrap();
        let pkg = site.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(
            pkg.join("__wasm_split_manifest.Gh78.json"),
            r#"{"incident_pages": ["chunk_0.Ij90", "split_incident_pages.Kl12"]}"#,
        )
        .unwrap();
        // A manifest under the plain name belongs to a build without hashed names.
        std::fs::write(
            pkg.join("__wasm_split_manifest.json"),
            r#"{"incident_pages": ["stale"]}"#,
        )
        .unwrap();
        std::fs::write(
            bin.path().join("hash.txt"),
            "js: Ab12\nsplit: Ef56\nmanifest: Gh78\n",
        )
        .unwrap();
        let options = LeptosOptions::builder()
            .output_name("hindsight")
            .site_root(site.path().to_str().unwrap())
            .hash_files(true)
            .build();
        let chunks = page_chunks(&options, bin.path());
        assert_eq!(
            chunks.of_group("incident_pages"),
            ["chunk_0.Ij90", "split_incident_pages.Kl12"]
        );
        assert_eq!(chunks.loader(), "/pkg/__wasm_split.Ef56.js");

        let plain = LeptosOptions::builder()
            .output_name("hindsight")
            .site_root(site.path().to_str().unwrap())
            .build();
        assert_eq!(
            page_chunks(&plain, bin.path()).of_group("incident_pages"),
            ["stale"]
        );
    }
}
