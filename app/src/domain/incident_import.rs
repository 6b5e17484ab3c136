//! Historical incidents from a spreadsheet: which of Hindsight's fields a CSV column fills, a
//! first guess at that from the column names, and the per-cell problems a dry run reports.

use serde::{Deserialize, Serialize};

choices!(
    /// What a column of the CSV can fill.
    ImportField {
        Title => ("title", "Title"),
        Severity => ("severity", "Severity"),
        StartedAt => ("started_at", "Impact started"),
        Services => ("services", "Services"),
        Summary => ("summary", "Summary"),
        DetectedAt => ("detected_at", "Detected"),
        AcknowledgedAt => ("acknowledged_at", "Acknowledged"),
        MitigatedAt => ("mitigated_at", "Mitigated"),
        ResolvedAt => ("resolved_at", "Resolved"),
        DetectedBy => ("detected_by", "Detected by"),
        MonitoringShouldHaveCaught => ("monitoring_should_have_caught", "Monitoring should have caught it"),
        KnownProblem => ("known_problem", "Known problem"),
        RunbookOutcome => ("runbook_outcome", "Runbook"),
        CauseCategory => ("cause_category", "Cause"),
        CustomerImpact => ("customer_impact", "Customer impact"),
        ImpactDescription => ("impact_description", "Impact description"),
        Tags => ("tags", "Tags"),
    }
);

impl ImportField {
    /// Whether every row needs a value for it.
    pub fn required(self) -> bool {
        matches!(
            self,
            ImportField::Title
                | ImportField::Severity
                | ImportField::StartedAt
                | ImportField::Services
        )
    }

    /// What a cell may hold, shown beside the field when mapping.
    pub fn hint(self) -> &'static str {
        match self {
            ImportField::Title => "Text.",
            ImportField::Severity => "sev1 to sev4 (SEV2 and 2 are read too).",
            ImportField::Services => "Service names as in Teams and services, separated by ; or |.",
            ImportField::StartedAt
            | ImportField::DetectedAt
            | ImportField::AcknowledgedAt
            | ImportField::MitigatedAt
            | ImportField::ResolvedAt => {
                "2026-10-05 14:03 in the reporting time zone, or RFC 3339 with an offset."
            }
            ImportField::DetectedBy => "alert, user_report, internal_discovery or other.",
            ImportField::RunbookOutcome => {
                "none_existed, existed_not_used, existed_worked or existed_failed."
            }
            ImportField::CauseCategory => {
                "change, configuration, capacity, dependency, data, infrastructure, security or unknown."
            }
            ImportField::MonitoringShouldHaveCaught
            | ImportField::KnownProblem
            | ImportField::CustomerImpact => "yes or no (true/false, 1/0); empty when not known.",
            ImportField::Tags => "Separated by ; or |.",
            ImportField::Summary | ImportField::ImpactDescription => "Text, may be empty.",
        }
    }

    /// Column names that mean this field in the spreadsheets people keep, lowercased with
    /// spaces, dashes and underscores taken out.
    fn names(self) -> &'static [&'static str] {
        match self {
            ImportField::Title => &["title", "name", "incident", "incidenttitle", "subject"],
            ImportField::Severity => &["severity", "sev", "priority", "level"],
            ImportField::StartedAt => &[
                "startedat",
                "started",
                "start",
                "starttime",
                "impactstarted",
                "begin",
                "date",
            ],
            ImportField::Services => &[
                "services",
                "service",
                "affectedservices",
                "component",
                "components",
                "system",
            ],
            ImportField::Summary => &["summary", "description", "details"],
            ImportField::DetectedAt => &["detectedat", "detected", "detectiontime"],
            ImportField::AcknowledgedAt => &["acknowledgedat", "acknowledged", "acked", "ackedat"],
            ImportField::MitigatedAt => &["mitigatedat", "mitigated", "mitigation"],
            ImportField::ResolvedAt => &[
                "resolvedat",
                "resolved",
                "end",
                "endtime",
                "ended",
                "closed",
            ],
            ImportField::DetectedBy => &[
                "detectedby",
                "detection",
                "detectionsource",
                "source",
                "howdetected",
            ],
            ImportField::MonitoringShouldHaveCaught => &[
                "monitoringshouldhavecaught",
                "monitoringgap",
                "shouldhavealerted",
            ],
            ImportField::KnownProblem => &["knownproblem", "known", "repeat", "recurring"],
            ImportField::RunbookOutcome => &["runbookoutcome", "runbook"],
            ImportField::CauseCategory => &["causecategory", "cause", "rootcause", "trigger"],
            ImportField::CustomerImpact => {
                &["customerimpact", "customerimpacting", "customerfacing"]
            }
            ImportField::ImpactDescription => &["impactdescription", "impact"],
            ImportField::Tags => &["tags", "labels"],
        }
    }
}

fn squeezed(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The names in a CSV's first line, read as RFC 4180 (quoted fields may hold commas).
pub fn header_names(csv: &str) -> Vec<String> {
    let text = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut names = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => names.push(std::mem::take(&mut current).trim().to_string()),
            '\n' | '\r' if !quoted => break,
            c => current.push(c),
        }
    }
    if !current.trim().is_empty() || !names.is_empty() {
        names.push(current.trim().to_string());
    }
    names
}

/// For each field, the column it most likely comes from: a column whose name is the field's
/// key, its label or a usual name for it, each column used once.
pub fn guess(columns: &[String]) -> Vec<(ImportField, Option<String>)> {
    let mut taken = vec![false; columns.len()];
    let mut found = Vec::new();
    for &field in ImportField::ALL {
        let wanted: Vec<String> = [squeezed(field.key()), squeezed(field.label())]
            .into_iter()
            .chain(field.names().iter().map(|n| n.to_string()))
            .collect();
        let column = wanted.iter().find_map(|w| {
            columns
                .iter()
                .enumerate()
                .find(|(i, c)| !taken[*i] && squeezed(c) == *w)
                .map(|(i, _)| i)
        });
        if let Some(i) = column {
            taken[i] = true;
        }
        found.push((field, column.map(|i| columns[i].clone())));
    }
    found
}

/// One thing wrong with one cell (or a whole row when `column` is empty), as a dry run shows it.
/// Rows are counted as a spreadsheet counts them: the header is row 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellProblem {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// What a dry run found, or what an import wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (the header not counted).
    pub rows: usize,
    pub problems: Vec<CellProblem>,
    /// The incidents written; `None` for a dry run, or when anything was wrong.
    pub imported: Option<usize>,
    /// The column each field was read from: as chosen, or as guessed when none was.
    pub columns: Vec<(ImportField, String)>,
}

impl ImportReport {
    /// One line per problem, for a page that shows it as text.
    pub fn problem_lines(&self) -> String {
        self.problems
            .iter()
            .map(|p| {
                if p.column.is_empty() {
                    format!("Row {}: {}", p.row, p.message)
                } else {
                    format!("Row {}, column \"{}\": {}", p.row, p.column, p.message)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// "yes"/"no" as spreadsheets write it; empty is not known.
pub fn parse_yes_no(input: &str) -> Result<Option<bool>, String> {
    match input.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" => Ok(Some(true)),
        "no" | "n" | "false" | "0" => Ok(Some(false)),
        _ => Err("must be yes or no (or empty when not known)".to_string()),
    }
}

/// A list in one cell, separated by `;` or `|` (a comma would split the CSV's own columns
/// for anyone who forgets the quotes).
pub fn parse_list(input: &str) -> Vec<String> {
    input
        .split([';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A choice given by its key or its label, in any case, spaces read as underscores:
/// "User report", "user_report" and "USER REPORT" are all the same.
pub fn loose<T>(
    input: &str,
    all: &[T],
    key: fn(&T) -> &'static str,
    label: fn(&T) -> &'static str,
) -> Option<usize> {
    let wanted = input.trim().to_lowercase().replace([' ', '-'], "_");
    all.iter().position(|c| {
        key(c) == wanted || label(c).to_lowercase().replace([' ', '-'], "_") == wanted
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<String> {
        header_names(line)
    }

    #[test]
    fn the_header_is_read_with_quotes_and_a_byte_order_mark() {
        assert_eq!(
            names("\u{feff}Title,\"Started, UTC\",\"Say \"\"hi\"\"\"\r\na,b,c"),
            vec!["Title", "Started, UTC", "Say \"hi\""]
        );
        assert!(names("").is_empty());
    }

    #[test]
    fn usual_column_names_are_recognised_once_each() {
        let columns = names("Incident,Sev,Start,Resolved,Service,Root cause,How detected,Notes");
        let guessed = guess(&columns);
        let of = |f: ImportField| {
            guessed
                .iter()
                .find(|(g, _)| *g == f)
                .and_then(|(_, c)| c.clone())
        };
        assert_eq!(of(ImportField::Title).as_deref(), Some("Incident"));
        assert_eq!(of(ImportField::Severity).as_deref(), Some("Sev"));
        assert_eq!(of(ImportField::StartedAt).as_deref(), Some("Start"));
        assert_eq!(of(ImportField::ResolvedAt).as_deref(), Some("Resolved"));
        assert_eq!(of(ImportField::Services).as_deref(), Some("Service"));
        assert_eq!(
            of(ImportField::CauseCategory).as_deref(),
            Some("Root cause")
        );
        assert_eq!(of(ImportField::DetectedBy).as_deref(), Some("How detected"));
        assert_eq!(
            of(ImportField::Summary),
            None,
            "Notes is not a usual name for it"
        );
        assert_eq!(of(ImportField::DetectedAt), None);
    }

    #[test]
    fn the_field_keys_themselves_map_to_their_fields() {
        let columns: Vec<String> = ImportField::ALL
            .iter()
            .map(|f| f.key().to_string())
            .collect();
        for (field, column) in guess(&columns) {
            assert_eq!(column.as_deref(), Some(field.key()));
        }
    }

    #[test]
    fn yes_no_and_lists_read_as_spreadsheets_write_them() {
        assert_eq!(parse_yes_no(" Yes "), Ok(Some(true)));
        assert_eq!(parse_yes_no("0"), Ok(Some(false)));
        assert_eq!(parse_yes_no(""), Ok(None));
        assert!(parse_yes_no("maybe").is_err());
        assert_eq!(
            parse_list("checkout; api-gateway |  ;"),
            vec!["checkout", "api-gateway"]
        );
    }

    #[test]
    fn choices_are_read_by_key_or_label() {
        use crate::domain::incident::DetectionSource;
        let find = |s: &str| {
            loose(s, DetectionSource::ALL, |d| d.key(), |d| d.label())
                .map(|i| DetectionSource::ALL[i])
        };
        assert_eq!(find("User report"), Some(DetectionSource::UserReport));
        assert_eq!(find("USER_REPORT"), Some(DetectionSource::UserReport));
        assert_eq!(
            find("internal-discovery"),
            Some(DetectionSource::InternalDiscovery)
        );
        assert_eq!(find("pager"), None);
    }
}
