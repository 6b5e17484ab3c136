//! Markdown to HTML that is safe as it stands: raw HTML in the source is shown as text, and a
//! link or image keeps its URL only when it is relative or http(s)/mailto. The browser's live
//! preview and the server's saved page both call `render`; the server also runs ammonia over
//! the result as a second line of defence.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// The largest document accepted, in bytes.
pub const MAX_BYTES: usize = 256 * 1024;

/// Prefix of every id the renderer writes, so a footnote label cannot shadow a page global.
pub const ID_PREFIX: &str = "user-content-";

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
}

/// Checks the size limit, naming it in the message.
pub fn check_size(markdown: &str) -> Result<(), String> {
    if markdown.len() > MAX_BYTES {
        return Err(format!(
            "is {} KB; the limit is {} KB",
            markdown.len().div_ceil(1024),
            MAX_BYTES / 1024
        ));
    }
    Ok(())
}

pub fn render(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, options()).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::FootnoteReference(label) => Event::FootnoteReference(prefixed(label)),
        Event::Start(Tag::FootnoteDefinition(label)) => {
            Event::Start(Tag::FootnoteDefinition(prefixed(label)))
        }
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut out, events);
    out
}

fn prefixed(label: CowStr<'_>) -> CowStr<'_> {
    CowStr::from(format!("{ID_PREFIX}{label}"))
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    if is_safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("")
    }
}

/// Whether a link target may be followed: relative, or with an http, https or mailto scheme.
pub fn is_safe_url(url: &str) -> bool {
    // Browsers skip control characters and spaces inside a scheme ("java\tscript:").
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    match cleaned.find(':') {
        None => true,
        // A colon after '/', '?' or '#' belongs to a path or query, not to a scheme.
        Some(colon) if cleaned[..colon].contains(['/', '?', '#']) => true,
        Some(colon) => matches!(&cleaned[..colon], "http" | "https" | "mailto"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn renders_the_extensions_teams_use() {
        let html = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~gone~~ and a note[^1]\n\n[^1]: the note\n",
        );
        assert!(
            html.contains("<table>") && html.contains("<td>1</td>"),
            "{html}"
        );
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert!(html.contains("<del>gone</del>"), "{html}");
        assert!(html.contains("href=\"#user-content-1\""), "{html}");
        assert!(html.contains("id=\"user-content-1\""), "{html}");
    }

    #[test]
    fn links_keep_safe_urls() {
        let html = render(
            "[docs](https://example.com/a?b=c) [rel](/incidents/4) [mail](mailto:ops@example.com)",
        );
        assert!(
            html.contains("href=\"https://example.com/a?b=c\""),
            "{html}"
        );
        assert!(html.contains("href=\"/incidents/4\""), "{html}");
        assert!(html.contains("href=\"mailto:ops@example.com\""), "{html}");
        assert!(is_safe_url("runbooks/db.md#step:3"));
    }

    /// Payloads from the usual XSS cheat sheets; none may leave anything executable.
    pub const PAYLOADS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)><circle r=1/></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div onclick=\"alert(1)\">click</div>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "[x]: javascript:alert(1)\n\n[link][x]",
        "<javascript:alert(1)>",
        "[x](\" onmouseover=\"alert(1))",
        "[x](https://ok.example \"title\\\" onmouseover=\\\"alert(1)\")",
        "<details open ontoggle=alert(1)>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<base href=\"https://evil.example/\">",
        "<form action=\"https://evil.example\"><button>go</button></form>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "`<script>alert(1)</script>`",
        "```html\n<script>alert(1)</script>\n```",
    ];

    /// Checks every real tag in the output (escaped text has no `<`): no dangerous element,
    /// no event attribute, no script-capable URL.
    pub fn assert_inert(html: &str, payload: &str) {
        let lower = html.to_ascii_lowercase();
        for tag in lower
            .split('<')
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap_or_default())
        {
            let name = tag
                .trim_start_matches('/')
                .split([' ', '/'])
                .next()
                .unwrap_or_default();
            assert!(
                ![
                    "script", "style", "iframe", "svg", "math", "object", "base", "form",
                    "details", "embed"
                ]
                .contains(&name),
                "<{tag}> survived {payload:?}: {html}"
            );
            // Attribute names are what lies outside quotes.
            let mut quoted = false;
            let names: String = tag
                .chars()
                .filter(|&c| {
                    if c == '"' {
                        quoted = !quoted;
                    }
                    !quoted && c != '"'
                })
                .collect();
            assert!(
                !names.contains(" on"),
                "event attribute in <{tag}> from {payload:?}"
            );
            for scheme in ["javascript:", "vbscript:", "data:"] {
                for attr in ["href=\"", "src=\""] {
                    assert!(
                        !tag.contains(&format!("{attr}{scheme}")),
                        "{scheme} in <{tag}> from {payload:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn xss_payloads_come_out_inert() {
        for payload in PAYLOADS {
            assert_inert(&render(payload), payload);
        }
    }

    #[test]
    fn raw_html_is_shown_not_interpreted() {
        assert_eq!(render("<b>hi</b>"), "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n");
    }

    #[test]
    fn the_size_limit_names_both_sizes() {
        assert!(check_size(&"a".repeat(MAX_BYTES)).is_ok());
        assert_eq!(
            check_size(&"a".repeat(MAX_BYTES + 1)).unwrap_err(),
            "is 257 KB; the limit is 256 KB"
        );
    }

    proptest::proptest! {
        #[test]
        fn no_input_produces_a_script(input in "(\\\\PC|<|>|\"|'|:|\\\\[|\\\\]|\\\\(|\\\\)|!|&|#|;){0,200}") {
            let html = render(&input);
            let lower = html.to_ascii_lowercase();
            proptest::prop_assert!(!lower.contains("<script"));
            proptest::prop_assert!(!lower.contains("href=\"javascript:"));
        }
    }
}
