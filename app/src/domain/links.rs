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
}
