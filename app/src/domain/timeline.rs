//! An incident's timeline: what happened when, and which events are the incident's moments of
//! detection, mitigation and resolution.

use super::incident::KeyTimes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

choices!(
    EventKind {
        Detection => ("detection", "Detection"),
        Escalation => ("escalation", "Escalation"),
        Action => ("action", "Action"),
        Communication => ("communication", "Communication"),
        Mitigation => ("mitigation", "Mitigation"),
        Resolution => ("resolution", "Resolution"),
        Note => ("note", "Note"),
    }
);

choices!(
    /// A key time an event can stand for. The incident's time then follows the event's.
    KeyMoment {
        Detected => ("detected", "Detected"),
        Mitigated => ("mitigated", "Mitigated"),
        Resolved => ("resolved", "Resolved"),
    }
);

impl KeyMoment {
    /// The incident form field this moment sets.
    pub fn field(self) -> &'static str {
        match self {
            KeyMoment::Detected => "detected_at",
            KeyMoment::Mitigated => "mitigated_at",
            KeyMoment::Resolved => "resolved_at",
        }
    }

    /// The kind an event marking this moment usually has, to preselect in the form.
    pub fn usual_kind(self) -> EventKind {
        match self {
            KeyMoment::Detected => EventKind::Detection,
            KeyMoment::Mitigated => EventKind::Mitigation,
            KeyMoment::Resolved => EventKind::Resolution,
        }
    }

    /// `times` with this moment set to `at`.
    pub fn set(self, times: KeyTimes, at: DateTime<Utc>) -> KeyTimes {
        let mut times = times;
        match self {
            KeyMoment::Detected => times.detected = Some(at),
            KeyMoment::Mitigated => times.mitigated = Some(at),
            KeyMoment::Resolved => times.resolved = Some(at),
        }
        times
    }

    pub fn get(self, times: &KeyTimes) -> Option<DateTime<Utc>> {
        match self {
            KeyMoment::Detected => times.detected,
            KeyMoment::Mitigated => times.mitigated,
            KeyMoment::Resolved => times.resolved,
        }
    }
}

/// The longest timeline entry, in bytes: a paragraph or two, not a document.
pub const MAX_EVENT_BYTES: usize = 16 * 1024;

/// An event's text: trimmed, not empty, not too long.
pub fn parse_event_text(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.len() > MAX_EVENT_BYTES {
        return Err(format!(
            "is too long ({} KB); keep an entry under {} KB",
            text.len().div_ceil(1024),
            MAX_EVENT_BYTES / 1024
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_moment_sets_only_its_own_time() {
        let t = |m| Utc.with_ymd_and_hms(2026, 11, 20, 10, m, 0).unwrap();
        let times = KeyTimes {
            started: t(0),
            detected: None,
            acknowledged: None,
            mitigated: None,
            resolved: None,
        };
        let marked = KeyMoment::Mitigated.set(times, t(30));
        assert_eq!(marked.mitigated, Some(t(30)));
        assert_eq!(marked.detected, None);
        assert_eq!(KeyMoment::Mitigated.get(&marked), Some(t(30)));
        assert_eq!(marked.ttm(), Some(30 * 60));
    }

    #[test]
    fn event_text_is_required_and_capped() {
        assert_eq!(
            parse_event_text("  paged on-call \n"),
            Ok("paged on-call".into())
        );
        assert!(parse_event_text("   ").unwrap_err().contains("empty"));
        let long = "x".repeat(MAX_EVENT_BYTES + 1);
        assert!(parse_event_text(&long).unwrap_err().contains("too long"));
    }

    #[test]
    fn kinds_and_moments_parse_their_keys() {
        assert_eq!(EventKind::parse("Mitigation"), Ok(EventKind::Mitigation));
        assert!(EventKind::parse("panic").unwrap_err().contains("detection"));
        assert_eq!(KeyMoment::parse("resolved"), Ok(KeyMoment::Resolved));
    }
}
