//! Deploy events, as recorded through the API or a CSV upload: which service, when, and how it
//! went. The change failure rate is counted from them.

use chrono::{DateTime, Utc};
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

/// One deploy read from a CSV upload, its service still a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployRow {
    /// The line it came from, counting the header as line 1.
    pub line: usize,
    pub service: String,
    pub deployed_at: DateTime<Utc>,
    pub outcome: DeployOutcome,
    pub reference: Option<String>,
}

/// What is wrong with one cell of an upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, {}: {}", self.line, self.column, self.message)
    }
}

/// The columns an upload has: `service`, `deployed_at` and `outcome`, and optionally
/// `reference`, in any order.
pub const CSV_COLUMNS: [&str; 4] = ["service", "deployed_at", "outcome", "reference"];

/// Splits one CSV line into cells: commas separate, double quotes enclose cells that contain
/// commas, and a doubled quote inside them is a quote.
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    out.push(cell);
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// Reads a deploy CSV: a header naming the columns, then one deploy per line (blank lines are
/// skipped). Every problem is reported with its line and column; a file with any problem gives
/// no rows.
pub fn parse_csv(text: &str) -> Result<Vec<DeployRow>, Vec<RowError>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((header_index, header)) = lines.next() else {
        return Err(vec![RowError {
            line: 1,
            column: "header".into(),
            message: format!(
                "is missing: the first line names the columns, {}",
                CSV_COLUMNS.join(",")
            ),
        }]);
    };
    let names: Vec<String> = cells(header)
        .into_iter()
        .map(|c| c.to_lowercase())
        .collect();
    let position = |name: &str| names.iter().position(|n| n == name);
    let mut errors = Vec::new();
    for required in &CSV_COLUMNS[..3] {
        if position(required).is_none() {
            errors.push(RowError {
                line: header_index + 1,
                column: (*required).to_string(),
                message: "column is missing from the header".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (service_at, time_at, outcome_at) = (
        position("service").unwrap_or_default(),
        position("deployed_at").unwrap_or_default(),
        position("outcome").unwrap_or_default(),
    );
    let reference_at = position("reference");
    let mut rows = Vec::new();
    for (index, line) in lines {
        let line_number = index + 1;
        let row = cells(line);
        let cell = |at: usize| row.get(at).map(String::as_str).unwrap_or_default();
        let mut problem = |column: &str, message: String| {
            errors.push(RowError {
                line: line_number,
                column: column.to_string(),
                message,
            })
        };
        let service = cell(service_at);
        if service.is_empty() {
            problem("service", "is required".into());
        }
        let deployed_at = DateTime::parse_from_rfc3339(cell(time_at))
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                problem(
                    "deployed_at",
                    "must be an RFC 3339 time such as 2026-10-05T14:03:00Z".into(),
                )
            })
            .ok();
        let outcome = DeployOutcome::parse(cell(outcome_at))
            .map_err(|e| problem("outcome", e))
            .ok();
        let reference = parse_reference(reference_at.map(cell).unwrap_or_default())
            .map_err(|e| problem("reference", e))
            .ok();
        if let (Some(deployed_at), Some(outcome), Some(reference), false) =
            (deployed_at, outcome, reference, service.is_empty())
        {
            rows.push(DeployRow {
                line: line_number,
                service: service.to_string(),
                deployed_at,
                outcome,
                reference,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_upload_reads_its_columns_in_any_order() {
        let rows = parse_csv(
            "outcome,service,deployed_at,reference\n\
             succeeded,checkout,2026-10-02T09:00:00Z,\"v1,2\"\n\
             \n\
             rolled_back, search ,2026-10-03T10:00:00+02:00,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].service, "checkout");
        assert_eq!(rows[0].reference.as_deref(), Some("v1,2"));
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].service, "search");
        assert_eq!(rows[1].outcome, DeployOutcome::RolledBack);
        assert_eq!(
            rows[1].deployed_at.to_rfc3339(),
            "2026-10-03T08:00:00+00:00"
        );
        assert_eq!(rows[1].reference, None);
    }

    #[test]
    fn every_problem_is_named_by_line_and_column() {
        let errors = parse_csv(
            "service,deployed_at,outcome\n\
             checkout,yesterday,succeeded\n\
             ,2026-10-03T10:00:00Z,crashed\n",
        )
        .unwrap_err();
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "line 2, deployed_at: must be an RFC 3339 time such as 2026-10-05T14:03:00Z",
                "line 3, service: is required",
                "line 3, outcome: must be one of succeeded, failed, rolled_back",
            ]
        );
        let missing = parse_csv("service,when\ncheckout,2026-10-03T10:00:00Z\n").unwrap_err();
        assert_eq!(
            missing[0].to_string(),
            "line 1, deployed_at: column is missing from the header"
        );
        assert_eq!(parse_csv("  \n").unwrap_err()[0].column, "header");
    }

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
