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
use std::path::Path;

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
    let missing: Vec<String> = names
        .lines()
        .filter_map(|line| {
            let (kind, hash) = line.split_once(':')?;
            let hash = hash.trim();
            let file = match kind.trim() {
                "js" => format!("{output_name}.{hash}.js"),
                "wasm" => format!("{output_name}.{hash}.wasm"),
                "css" => format!("{output_name}.{hash}.css"),
                "split" => format!("__wasm_split.{hash}.js"),
                "manifest" => format!("__wasm_split_manifest.{hash}.json"),
                _ => return None,
            };
            (!pkg.join(&file).is_file()).then_some(file)
        })
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
}
