//! Teams and the services they own, as typed into the catalogue.

use crate::domain::account::required_line;
use serde::{Deserialize, Serialize};

/// A team's or service's name: 1–80 characters, unique within its kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogName(String);

impl CatalogName {
    pub fn parse(input: &str) -> Result<CatalogName, String> {
        required_line(input, 80).map(CatalogName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An availability objective in percent, such as 99.9: above 0, below 100, at most three decimals.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SloTarget(f64);

impl SloTarget {
    /// Blank means "no objective".
    pub fn parse_optional(input: &str) -> Result<Option<SloTarget>, String> {
        let text = input.trim().trim_end_matches('%').trim();
        if text.is_empty() {
            return Ok(None);
        }
        let value: f64 = text
            .parse()
            .map_err(|_| "must be a percentage such as 99.9".to_string())?;
        if !(value > 0.0 && value < 100.0) {
            return Err("must be above 0 and below 100".into());
        }
        if text
            .split_once('.')
            .is_some_and(|(_, decimals)| decimals.len() > 3)
        {
            return Err("may have at most three decimals".into());
        }
        Ok(Some(SloTarget(value)))
    }

    /// The same rules for a number sent by a script.
    pub fn from_percent(value: f64) -> Result<SloTarget, String> {
        SloTarget::parse_optional(&value.to_string())?.ok_or_else(|| "is required".to_string())
    }

    pub fn percent(self) -> f64 {
        self.0
    }

    /// The share of time the service may be down, e.g. 0.001 for 99.9%.
    pub fn error_budget_fraction(self) -> f64 {
        (100.0 - self.0) / 100.0
    }
}

/// A link to a runbook: an absolute http(s) URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunbookUrl(String);

impl RunbookUrl {
    pub fn parse_optional(input: &str) -> Result<Option<RunbookUrl>, String> {
        let url = input.trim();
        if url.is_empty() {
            return Ok(None);
        }
        let lower = url.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        match rest {
            Some(host)
                if !host.is_empty()
                    && !host.starts_with('/')
                    && !url.chars().any(char::is_whitespace) => {}
            _ => return Err("must be a web address starting with https:// or http://".into()),
        }
        if url.len() > 2048 {
            return Err("must be at most 2048 characters".into());
        }
        Ok(Some(RunbookUrl(url.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(
            CatalogName::parse("  Payments ").unwrap().as_str(),
            "Payments"
        );
        assert_eq!(CatalogName::parse(" ").unwrap_err(), "is required");
        assert!(CatalogName::parse(&"x".repeat(81)).is_err());
    }

    #[test]
    fn slo_targets_are_percentages() {
        assert_eq!(
            SloTarget::parse_optional("99.9")
                .unwrap()
                .unwrap()
                .percent(),
            99.9
        );
        assert_eq!(
            SloTarget::parse_optional("99.95 %")
                .unwrap()
                .unwrap()
                .percent(),
            99.95
        );
        assert_eq!(SloTarget::parse_optional("").unwrap(), None);
        assert_eq!(
            SloTarget::parse_optional("100").unwrap_err(),
            "must be above 0 and below 100"
        );
        assert_eq!(
            SloTarget::parse_optional("high").unwrap_err(),
            "must be a percentage such as 99.9"
        );
        assert_eq!(
            SloTarget::parse_optional("99.99999").unwrap_err(),
            "may have at most three decimals"
        );
        let budget = SloTarget::parse_optional("99.9")
            .unwrap()
            .unwrap()
            .error_budget_fraction();
        assert!((budget - 0.001).abs() < 1e-12);
    }

    #[test]
    fn runbooks_are_web_addresses() {
        assert!(
            RunbookUrl::parse_optional("https://wiki.example/runbooks/db")
                .unwrap()
                .is_some()
        );
        assert_eq!(RunbookUrl::parse_optional("").unwrap(), None);
        for bad in [
            "javascript:alert(1)",
            "wiki.example/rb",
            "https://",
            "https:///x",
            "http://a b",
        ] {
            assert!(RunbookUrl::parse_optional(bad).is_err(), "{bad}");
        }
    }
}
