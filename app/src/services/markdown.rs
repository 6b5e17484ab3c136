//! The saved page's HTML: the shared renderer's output, cleaned once more by ammonia with an
//! allow-list that keeps exactly what the renderer produces for good input.

use crate::domain::markdown;
use ammonia::Builder;
use std::collections::HashSet;
use std::sync::LazyLock;

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_generic_attributes(["id", "class"])
        // Only task-list checkboxes, and only footnote ids, come out of the renderer.
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("input", "type") => (value == "checkbox").then_some(value.into()),
            (_, "id") => value
                .starts_with(markdown::ID_PREFIX)
                .then_some(value.into()),
            _ => Some(value.into()),
        })
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(None);
    builder
});

pub fn render(markdown: &str) -> String {
    SANITIZER.clean(&markdown::render(markdown)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::markdown::tests::{PAYLOADS, assert_inert};

    #[test]
    fn payloads_stay_inert_after_both_layers() {
        for payload in PAYLOADS {
            assert_inert(&render(payload), payload);
        }
    }

    #[test]
    fn good_documents_keep_their_structure() {
        let html = render(
            "## Impact\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] paged\n\nSee[^n].\n\n[^n]: note\n\n[runbook](https://wiki.example/rb)",
        );
        for expected in [
            "<h2>Impact</h2>",
            "<td>1</td>",
            "type=\"checkbox\"",
            "id=\"user-content-n\"",
            "href=\"#user-content-n\"",
            "href=\"https://wiki.example/rb\"",
        ] {
            assert!(html.contains(expected), "{expected} missing from {html}");
        }
    }

    #[test]
    fn raw_ids_and_inputs_from_elsewhere_are_dropped() {
        let cleaned = SANITIZER
            .clean("<p id=\"location\">x</p><input type=\"text\" value=\"y\">")
            .to_string();
        assert!(
            !cleaned.contains("id=") && !cleaned.contains("type=\"text\""),
            "{cleaned}"
        );
    }
}
