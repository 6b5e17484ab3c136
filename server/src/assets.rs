//! The built site's files under `/pkg/`: which of them are named by their content.
//!
//! A release build (`LEPTOS_HASH_FILES=true cargo leptos build`) puts the MD5 of each file's
//! content in its name and lists the names of the main JS, wasm and CSS in `hash.txt` beside the
//! binary. cargo-leptos names the main JS and wasm before it writes the chunk loader's final name
//! into them, so a build that changes only a chunk keeps their names with new content; only a
//! file whose name matches its content may be kept by browsers for good.

use base64::Engine;
use md5::{Digest, Md5};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The `/pkg/...` paths of the files under `site_root/pkg_dir` whose names carry the MD5 of
/// what they hold.
pub fn named_by_content(site_root: &Path, pkg_dir: &str) -> HashSet<String> {
    let Ok(entries) = std::fs::read_dir(site_root.join(pkg_dir)) else {
        return HashSet::new();
    };
    entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_string();
            let content = std::fs::read(&path).ok()?;
            let hash =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Md5::digest(content));
            name.contains(&format!(".{hash}."))
                .then(|| format!("/{pkg_dir}/{name}"))
        })
        .collect()
}

/// Whether the build that made `site_root` named its files by their content, for a binary not
/// started by cargo-leptos (which says so itself): the list of names `hash.txt` is beside the
/// binary and the main JS it names is in the site. A list that names files the site does not
/// hold comes from another build; it is reported and not used.
pub fn hashed_build(exe_dir: &Path, hash_file: &str, site_root: &Path, pkg_dir: &str) -> bool {
    let list = exe_dir.join(hash_file);
    let Ok(names) = std::fs::read_to_string(&list) else {
        return false;
    };
    let js: Option<PathBuf> = names.lines().find_map(|line| {
        let hash = line.strip_prefix("js:")?.trim();
        let name = std::fs::read_dir(site_root.join(pkg_dir))
            .ok()?
            .flatten()
            .map(|entry| entry.file_name())
            .find(|file| {
                file.to_str()
                    .is_some_and(|file| file.ends_with(&format!(".{hash}.js")))
            })?;
        Some(site_root.join(pkg_dir).join(name))
    });
    if js.is_none() {
        tracing::error!(
            list = %list.display(),
            site = %site_root.display(),
            "the list of built files beside the binary names files the site does not hold; \
             serve the site of the same build"
        );
    }
    js.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_counts_as_hashed_only_when_its_list_names_files_the_site_holds() {
        let bin = tempfile::tempdir().unwrap();
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/hindsight.Ab12.js"), "").unwrap();
        let hashed = || hashed_build(bin.path(), "hash.txt", site.path(), "pkg");

        assert!(!hashed(), "no list: a build without hashed names");
        std::fs::write(bin.path().join("hash.txt"), "js: Ab12\nwasm: Cd34\n").unwrap();
        assert!(hashed());
        std::fs::write(bin.path().join("hash.txt"), "js: Zz99\nwasm: Cd34\n").unwrap();
        assert!(!hashed(), "a list from another build");
    }
}
