//! Deploy events, as recorded through the API: which service, when, and how it went. The change
//! failure rate is counted from them.

use serde::{Deserialize, Serialize};

choices!(
    /// How a deploy ended.
    DeployOutcome {
        Succeeded => ("succeeded", "Succeeded"),
        Failed => ("failed", "Failed"),
        RolledBack => ("rolled_back", "Rolled back"),
    }
);

/// A free-text reference to what was deployed (a version, a commit), at most 200 characters.
pub fn parse_reference(input: &str) -> Result<Option<String>, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > 200 {
        return Err("must be at most 200 characters".into());
    }
    if text.chars().any(char::is_control) {
        return Err("must be a single line".into());
    }
    Ok(Some(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_references_parse() {
        assert_eq!(
            DeployOutcome::parse("rolled_back"),
            Ok(DeployOutcome::RolledBack)
        );
        assert_eq!(
            DeployOutcome::parse("crashed").unwrap_err(),
            "must be one of succeeded, failed, rolled_back"
        );
        assert_eq!(parse_reference("  v1.4.2 "), Ok(Some("v1.4.2".into())));
        assert_eq!(parse_reference("   "), Ok(None));
        assert!(parse_reference(&"x".repeat(201)).is_err());
        assert!(parse_reference("a\nb").is_err());
    }
}
