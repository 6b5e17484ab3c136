//! Historical incidents from a CSV, with the columns mapped by the person importing: every row
//! is read and checked, then written in one transaction that is kept only when nothing was
//! wrong and it was asked for; a dry run is the same work, rolled back.

use crate::domain::account::required_line;
use crate::domain::incident::{
    CauseCategory, DetectionSource, KeyTimes, RunbookOutcome, Severity, parse_tags,
};
use crate::domain::incident_import::{
    CellProblem, ImportField, ImportReport, guess, loose, parse_list, parse_yes_no,
};
use crate::domain::time::parse_local;
use crate::error::AppError;
use crate::services::{catalog, incidents, organisation};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::collections::HashMap;

/// The most rows one import takes.
pub const MAX_ROWS: usize = 5_000;
/// The most problems a report lists; more are counted in the last line.
const MAX_PROBLEMS: usize = 200;

/// For each field, the name of the column it comes from, as chosen on the page.
pub type Mapping = Vec<(ImportField, String)>;

/// Reads `csv` with `mapping` and writes its incidents when `commit` and nothing is wrong;
/// otherwise writes nothing. Either way the report lists every problem found.
#[tracing::instrument(skip(db, csv, mapping), fields(bytes = csv.len()))]
pub async fn run(
    db: &DatabaseConnection,
    csv: &str,
    mapping: &Mapping,
    author_id: i64,
    now: DateTime<Utc>,
    commit: bool,
) -> Result<ImportReport, AppError> {
    let csv_error = |message: String| AppError::validation("csv", "CSV", message);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv.strip_prefix('\u{feff}').unwrap_or(csv).as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(format!("could not be read: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(csv_error(
            "is empty: paste a header line and one line per incident".into(),
        ));
    }

    // Which column each field reads; a mapping to a column that is not there is the
    // person's to fix before any row is looked at. With no column chosen at all (a first try
    // without JavaScript, which guesses as the CSV is typed), the columns are guessed here.
    let guessed: Mapping;
    let mapping = if mapping.iter().all(|(_, name)| name.trim().is_empty()) {
        guessed = guess(&headers)
            .into_iter()
            .filter_map(|(field, column)| column.map(|c| (field, c)))
            .collect();
        &guessed
    } else {
        mapping
    };
    let mut columns: HashMap<ImportField, usize> = HashMap::new();
    for (field, name) in mapping {
        if name.trim().is_empty() {
            continue;
        }
        match headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name.trim()))
        {
            Some(i) => {
                columns.insert(*field, i);
            }
            None => {
                return Err(AppError::validation(
                    field.key(),
                    field.label(),
                    format!(
                        "comes from \"{}\", which is not a column of this CSV (its columns are {})",
                        name.trim(),
                        headers.join(", ")
                    ),
                ));
            }
        }
    }
    for field in ImportField::ALL.iter().filter(|f| f.required()) {
        if !columns.contains_key(field) {
            return Err(AppError::validation(
                field.key(),
                field.label(),
                "needs a column: every incident has one",
            ));
        }
    }

    let zone = organisation::reporting_zone(db).await?;
    let services: HashMap<String, i64> = catalog::service_names(db)
        .await?
        .into_iter()
        .map(|(id, name)| (name.to_lowercase(), id))
        .collect();

    let mut report = ImportReport {
        columns: mapping
            .iter()
            .filter(|(_, name)| !name.trim().is_empty())
            .map(|(field, name)| (*field, name.trim().to_string()))
            .collect(),
        ..ImportReport::default()
    };
    let mut read = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let row = n + 2;
        if n >= MAX_ROWS {
            return Err(csv_error(format!(
                "has more than {MAX_ROWS} incidents; split it and import each part"
            )));
        }
        report.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.problems.push(CellProblem {
                    row,
                    column: String::new(),
                    message: format!("could not be read: {e}"),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            report.rows -= 1;
            continue;
        }
        let cell = |field: ImportField| -> &str {
            columns
                .get(&field)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
        };
        let mut row_problems = Vec::new();
        let mut problem = |field: ImportField, message: String| {
            row_problems.push(CellProblem {
                row,
                column: headers[columns[&field]].clone(),
                message,
            });
        };
        match read_row(&cell, zone, &services) {
            Ok(input) => read.push((row, input)),
            Err(found) => {
                for (field, message) in found {
                    problem(field, message);
                }
            }
        }
        report.problems.extend(row_problems);
    }
    if report.rows == 0 {
        return Err(csv_error("has a header but no incidents under it".into()));
    }

    // Everything the database itself checks, in a transaction that is kept only for a clean
    // import: a dry run finds what the real one would.
    let txn = db.begin().await?;
    let mut written = 0;
    for (row, input) in read {
        match incidents::create(&txn, input, author_id, now).await {
            Ok(_) => written += 1,
            Err(AppError::Validation {
                field,
                message,
                label,
            }) => {
                let column = ImportField::parse(&field)
                    .ok()
                    .and_then(|f| columns.get(&f))
                    .map(|&i| headers[i].clone())
                    .unwrap_or_default();
                report.problems.push(CellProblem {
                    row,
                    column,
                    message: format!("{label} {message}"),
                });
            }
            Err(other) => return Err(other),
        }
    }
    report.problems.sort_by_key(|p| p.row);
    if commit && report.problems.is_empty() {
        txn.commit().await?;
        report.imported = Some(written);
        tracing::info!(written, "incidents imported from CSV");
    } else {
        txn.rollback().await?;
    }
    if report.problems.len() > MAX_PROBLEMS {
        let more = report.problems.len() - MAX_PROBLEMS;
        report.problems.truncate(MAX_PROBLEMS);
        report.problems.push(CellProblem {
            row: 0,
            column: String::new(),
            message: format!("and {more} more problems"),
        });
    }
    Ok(report)
}

fn choice<T: Copy>(
    text: &str,
    all: &'static [T],
    key: fn(&T) -> &'static str,
    label: fn(&T) -> &'static str,
) -> Result<Option<T>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    loose(text, all, key, label)
        .map(|i| Some(all[i]))
        .ok_or_else(|| {
            format!(
                "\"{}\" is not one of {}",
                text.trim(),
                all.iter().map(key).collect::<Vec<_>>().join(", ")
            )
        })
}

/// A time as spreadsheets write it: with an offset (RFC 3339), or a wall-clock time in the
/// reporting zone.
fn time(text: &str, zone: Tz) -> Result<Option<DateTime<Utc>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    parse_local(text, zone).map(Some).map_err(|_| {
        format!("\"{text}\" is not a time like 2026-10-05 14:03 or 2026-10-05T14:03:00Z")
    })
}

fn severity(text: &str) -> Result<Severity, String> {
    let text = text.trim();
    let digits = text.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-' || c == ' ');
    match digits {
        "1" => Ok(Severity::Sev1),
        "2" => Ok(Severity::Sev2),
        "3" => Ok(Severity::Sev3),
        "4" => Ok(Severity::Sev4),
        _ if text.is_empty() => Err("must be given".to_string()),
        _ => Err(format!("\"{text}\" is not one of sev1, sev2, sev3, sev4")),
    }
}

/// One row as an incident, or every problem in it.
fn read_row<'a>(
    cell: &impl Fn(ImportField) -> &'a str,
    zone: Tz,
    services: &HashMap<String, i64>,
) -> Result<incidents::IncidentInput, Vec<(ImportField, String)>> {
    let mut problems: Vec<(ImportField, String)> = Vec::new();
    fn keep<T>(
        problems: &mut Vec<(ImportField, String)>,
        field: ImportField,
        result: Result<T, String>,
    ) -> Option<T> {
        result.map_err(|m| problems.push((field, m))).ok()
    }
    macro_rules! take {
        ($field:expr, $result:expr $(,)?) => {
            keep(&mut problems, $field, $result)
        };
    }
    use ImportField as F;
    let title = take!(F::Title, required_line(cell(F::Title), 200));
    let severity = take!(F::Severity, severity(cell(F::Severity)));
    let names = parse_list(cell(F::Services));
    let service_ids = take!(
        F::Services,
        if names.is_empty() {
            Err("must name at least one service".to_string())
        } else {
            names
                .iter()
                .map(|n| {
                    services.get(&n.to_lowercase()).copied().ok_or_else(|| {
                        format!(
                            "\"{n}\" is not a service here; add it under Teams and services first"
                        )
                    })
                })
                .collect()
        },
    );
    let started = take!(
        F::StartedAt,
        time(cell(F::StartedAt), zone).and_then(|t| t.ok_or_else(|| "must be given".to_string())),
    );
    let detected = take!(F::DetectedAt, time(cell(F::DetectedAt), zone));
    let acknowledged = take!(F::AcknowledgedAt, time(cell(F::AcknowledgedAt), zone));
    let mitigated = take!(F::MitigatedAt, time(cell(F::MitigatedAt), zone));
    let resolved = take!(F::ResolvedAt, time(cell(F::ResolvedAt), zone));
    let detected_by = take!(
        F::DetectedBy,
        choice(
            cell(F::DetectedBy),
            DetectionSource::ALL,
            |c| c.key(),
            |c| c.label()
        ),
    );
    let runbook_outcome = take!(
        F::RunbookOutcome,
        choice(
            cell(F::RunbookOutcome),
            RunbookOutcome::ALL,
            |c| c.key(),
            |c| c.label()
        ),
    );
    let cause_category = take!(
        F::CauseCategory,
        choice(
            cell(F::CauseCategory),
            CauseCategory::ALL,
            |c| c.key(),
            |c| c.label()
        ),
    );
    let monitoring = take!(
        F::MonitoringShouldHaveCaught,
        parse_yes_no(cell(F::MonitoringShouldHaveCaught))
    );
    let known_problem = take!(F::KnownProblem, parse_yes_no(cell(F::KnownProblem)));
    let customer_impact = take!(F::CustomerImpact, parse_yes_no(cell(F::CustomerImpact)));
    let tags = take!(F::Tags, parse_tags(&parse_list(cell(F::Tags)).join(",")));
    match (
        title,
        severity,
        service_ids,
        started,
        detected,
        acknowledged,
        mitigated,
        resolved,
        detected_by,
        runbook_outcome,
        cause_category,
        monitoring,
        known_problem,
        customer_impact,
        tags,
    ) {
        (
            Some(title),
            Some(severity),
            Some(service_ids),
            Some(started),
            Some(detected),
            Some(acknowledged),
            Some(mitigated),
            Some(resolved),
            Some(detected_by),
            Some(runbook_outcome),
            Some(cause_category),
            Some(monitoring),
            Some(known_problem),
            Some(customer_impact),
            Some(tags),
        ) if problems.is_empty() => Ok(incidents::IncidentInput {
            title,
            summary: cell(F::Summary).to_string(),
            severity,
            service_ids,
            customer_impact: customer_impact.unwrap_or(false),
            impact_description: cell(F::ImpactDescription).to_string(),
            times: KeyTimes {
                started,
                detected,
                acknowledged,
                mitigated,
                resolved,
            },
            detected_by,
            monitoring_should_have_caught: monitoring,
            known_problem,
            repeats: Vec::new(),
            runbook_outcome,
            cause_category,
            tags,
        }),
        _ => Err(problems),
    }
}
