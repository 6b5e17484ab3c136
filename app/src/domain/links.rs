//! Local links: encoding a path into a query string, and refusing to follow links off-site.

/// Percent-encodes everything but unreserved characters and `/`.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The query parameter that carries what was typed into a form back to it, when the form was
/// sent without JavaScript and refused. Passwords are never carried.
pub const KEPT_INPUT_PARAM: &str = "__input";

/// Encodes pairs as `application/x-www-form-urlencoded`.
pub fn encode_form(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn form_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Parses `application/x-www-form-urlencoded` text into its pairs.
pub fn parse_form(encoded: &str) -> Vec<(String, String)> {
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_unescape(key), form_unescape(value))
        })
        .collect()
}

fn form_unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Only local paths are followed after sign-in, so a link cannot send someone elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/admin/users?after=bob")),
            "/admin/users?after=bob"
        );
        for outside in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "admin",
        ] {
            assert_eq!(safe_next(Some(outside)), "/", "{outside}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn paths_survive_being_put_in_a_query() {
        assert_eq!(
            urlencode("/admin/users?after=bob&x=1"),
            "/admin/users%3Fafter%3Dbob%26x%3D1"
        );
        assert_eq!(urlencode("/ä"), "/%C3%A4");
    }

    #[test]
    fn forms_decode_what_browsers_send() {
        assert_eq!(
            parse_form("username=ada&display_name=Ada+L%C3%B6velace&empty=&flag"),
            [
                ("username".to_string(), "ada".to_string()),
                ("display_name".to_string(), "Ada Lövelace".to_string()),
                ("empty".to_string(), String::new()),
                ("flag".to_string(), String::new()),
            ]
        );
        assert_eq!(
            parse_form("bad=%zz%4"),
            [("bad".to_string(), "%zz%4".to_string())]
        );
    }

    proptest::proptest! {
        #[test]
        fn forms_round_trip(pairs in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,24}"), 0..6)) {
            let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| !k.is_empty()).collect();
            proptest::prop_assert_eq!(parse_form(&encode_form(&pairs)), pairs);
        }
    }
}
