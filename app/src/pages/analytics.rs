//! Analytics: a period's figures against the previous period, the findings, charts of the last
//! twelve periods drawn as SVG on the server (each with a table to read instead), and the
//! incidents behind every count.

use crate::api::analytics::{
    AnalyticsDto, AnalyticsParams, INCIDENTS_SHOWN, ITEMS_BEHIND_SHOWN, IncidentRef,
    ItemsBehindDto, load_analytics, load_items_behind,
};
use crate::components::action_items::state_badge;
use crate::components::notice::ErrorNotice;
use crate::components::picker::{Naming, filter_picker};
use crate::domain::analytics::figures::{format_change, format_value};
use crate::domain::analytics::{
    Counted, Metric, MetricRow, PeriodKind, Report, ServiceAvailability, Verdict,
};
use crate::domain::incident::{DetectionSource, RunbookOutcome};
use crate::pages::how_we_measure::anchor;
use crate::pages::incidents::severity_badge;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::collections::HashMap;

fn params_from(q: &leptos_router::params::ParamsMap) -> AnalyticsParams {
    let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
    AnalyticsParams {
        kind: get("kind"),
        period: get("period"),
        team: get("team"),
        service: get("service"),
    }
}

/// The incidents behind a figure, as a disclosure that lists them.
pub fn behind(
    summary: String,
    ids: &[i64],
    incidents: &HashMap<i64, IncidentRef>,
) -> impl IntoView + use<> {
    if ids.is_empty() {
        return view! { <span class="muted">{summary}</span> }.into_any();
    }
    let more = ids.len().saturating_sub(INCIDENTS_SHOWN);
    let rows: Vec<_> = ids
        .iter()
        .take(INCIDENTS_SHOWN)
        .map(|id| match incidents.get(id) {
            Some(i) => (i.id, i.title.clone(), i.severity),
            None => (*id, format!("Incident #{id}"), None),
        })
        .collect();
    view! {
        <details class="behind">
            <summary>{summary}</summary>
            <ul>
                {rows.into_iter().map(|(id, title, severity)| view! {
                    <li>
                        {severity.map(severity_badge)} " "
                        <a href=format!("/incidents/{id}")>{format!("#{id} {title}")}</a>
                    </li>
                }).collect_view()}
                {(more > 0).then(|| view! {
                    <li class="more">{format!("and {more} more")}</li>
                })}
            </ul>
        </details>
    }
    .into_any()
}

/// The figures that count action items, each with a list of the items behind it.
const ITEM_METRICS: [Metric; 7] = [
    Metric::ItemsCreated,
    Metric::ItemsCommitted,
    Metric::ItemsCompleted,
    Metric::ItemsOpen,
    Metric::ItemsOverdue,
    Metric::PriorActionsVerified,
    Metric::PriorActionsEffective,
];

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Better => "badge ok",
        Verdict::Worse => "badge danger",
        Verdict::Same | Verdict::Changed => "badge subtle",
    }
}

/// A line chart of one figure over the charted periods, with a table for reading the numbers.
fn trend_chart(metric: Metric, labels: &[String], values: &[Option<f64>]) -> impl IntoView + use<> {
    const W: f64 = 360.0;
    const H: f64 = 120.0;
    const PAD: f64 = 8.0;
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let max = present.iter().copied().fold(0.0_f64, f64::max);
    let min = present.iter().copied().fold(max, f64::min).min(0.0);
    let span = if max > min { max - min } else { 1.0 };
    let step = if values.len() > 1 {
        (W - 2.0 * PAD) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let point = |i: usize, v: f64| {
        (
            PAD + step * i as f64,
            H - PAD - (v - min) / span * (H - 2.0 * PAD),
        )
    };
    // Runs of consecutive periods that have the figure; a missing period breaks the line.
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => runs.last_mut().expect("one run").push(point(i, *v)),
            None => runs.push(Vec::new()),
        }
    }
    let lines: Vec<String> = runs
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.iter()
                .map(|(x, y)| format!("{x:.1},{y:.1}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let dots: Vec<(f64, f64)> = runs.into_iter().flatten().collect();
    let title = format!(
        "{} over the last {} periods, from {} to {}",
        metric.label(),
        values.len(),
        format_value(metric, values.first().copied().flatten()),
        format_value(metric, values.last().copied().flatten()),
    );
    let label = title.clone();
    let rows: Vec<(String, String)> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| (l.clone(), format_value(metric, *v)))
        .collect();
    view! {
        <figure class="chart" data-chart=metric.key()>
            <figcaption>{metric.label()}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
                <title>{title}</title>
                <line class="axis" x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD />
                {lines.into_iter().map(|points| view! { <polyline class="line" points=points /> }).collect_view()}
                {dots.into_iter().map(|(x, y)| view! { <circle class="dot" cx=format!("{x:.1}") cy=format!("{y:.1}") r="3" /> }).collect_view()}
            </svg>
            <details>
                <summary>"Table"</summary>
                <table class="table compact">
                    <thead><tr><th scope="col">"Period"</th><th scope="col">{metric.label()}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(l, v)| view! { <tr><td>{l}</td><td>{v}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

/// Bars of each category's share, with counts, for one period.
fn share_bars<C: Copy + 'static>(
    caption: &'static str,
    rows: &[Counted<C>],
    label: fn(C) -> &'static str,
    key: fn(C) -> &'static str,
    incidents: &HashMap<i64, IncidentRef>,
) -> impl IntoView + use<C> {
    let total: u64 = rows.iter().map(|r| r.count).sum();
    let rows: Vec<_> = rows
        .iter()
        .map(|r| {
            let share = if total > 0 {
                r.count as f64 / total as f64
            } else {
                0.0
            };
            (
                key(r.category),
                label(r.category),
                r.count,
                share,
                behind(
                    format!("{} ({:.0}%)", r.count, share * 100.0),
                    &r.incident_ids,
                    incidents,
                ),
            )
        })
        .collect();
    view! {
        <figure class="share-bars">
            <figcaption>{caption}</figcaption>
            <table class="table compact">
                <tbody>
                    {rows.into_iter().map(|(key, label, _count, share, behind)| view! {
                        <tr data-category=key>
                            <th scope="row">{label}</th>
                            <td class="bar-cell">
                                <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="share-bar" aria-hidden="true">
                                    <rect class=format!("share {key}") x="0" y="0" height="10" width=format!("{:.1}", share * 100.0) />
                                </svg>
                            </td>
                            <td>{behind}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

fn figure_row(
    row: MetricRow,
    ids: Option<Vec<i64>>,
    items_link: Option<String>,
    incidents: &HashMap<i64, IncidentRef>,
) -> impl IntoView + use<> {
    let metric = row.metric;
    let value = format_value(metric, row.value);
    let cell = match (ids, items_link) {
        (Some(ids), _) => behind(value, &ids, incidents).into_any(),
        (None, Some(href)) => view! { <a href=href>{value}</a> }.into_any(),
        (None, None) => view! { <span>{value}</span> }.into_any(),
    };
    let anomaly = row.anomaly.filter(|a| a.anomalous).map(|a| {
        view! {
            <span class="badge warning" title=format!("{:.1} standard deviations from the mean of the previous {} periods", a.score, a.baseline_periods)>
                "anomaly"
            </span>
        }
    });
    view! {
        <tr data-metric=metric.key()>
            <th scope="row"><a href=format!("/how-we-measure#{}", anchor(metric.label()))>{metric.label()}</a></th>
            <td class="figure-cell">{cell}</td>
            <td>{format_value(metric, row.previous)}</td>
            <td>
                {row.trend.map(|t| view! {
                    <span class=verdict_class(t.verdict)>{t.verdict.label()}</span>
                    " " {format_change(metric, &t)}
                })}
                {anomaly}
            </td>
        </tr>
    }
}

/// The incidents a report names, by id.
pub fn incident_index(dto: &AnalyticsDto) -> HashMap<i64, IncidentRef> {
    dto.incidents.iter().map(|i| (i.id, i.clone())).collect()
}

/// The findings as a list, each with the incidents behind it.
pub fn findings_view(
    report: &Report,
    incidents: &HashMap<i64, IncidentRef>,
) -> impl IntoView + use<> {
    if report.findings.is_empty() {
        return view! { <p class="empty">"Nothing stands out in this period."</p> }.into_any();
    }
    let items = report
        .findings
        .iter()
        .map(|finding| {
            let n = finding.incident_ids.len();
            view! {
                <li data-finding=finding.kind.key()>
                    <span class="badge warning">{finding.kind.label()}</span> " " {finding.text.clone()}
                    {(n > 0).then(|| behind(
                        format!("{n} incident{}", if n == 1 { "" } else { "s" }),
                        &finding.incident_ids,
                        incidents,
                    ))}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="findings">{items}</ul> }.into_any()
}

/// Every figure against the previous period, with the incidents behind the counts.
/// The figures against the previous period. With `items_query` (the period and scope as a
/// query string), each action-item figure links to the list of the items it counts.
pub fn figures_view(
    report: &Report,
    period_label: &str,
    items_query: Option<String>,
    incidents: &HashMap<i64, IncidentRef>,
) -> impl IntoView + use<> {
    let f = &report.figures;
    let ids_for = |metric: Metric| -> Option<Vec<i64>> {
        match metric {
            Metric::Incidents => Some(f.incident_ids.clone()),
            Metric::MonitoringShouldHaveCaught => Some(f.monitoring_should_have_caught.clone()),
            Metric::RecurrenceRate => Some(f.known_problems.clone()),
            Metric::DetectionGap => Some(
                f.detected_by
                    .iter()
                    .filter(|c| c.category == DetectionSource::UserReport)
                    .flat_map(|c| c.incident_ids.clone())
                    .collect(),
            ),
            _ => None,
        }
    };
    let rows = report
        .rows
        .iter()
        .cloned()
        .map(|row| {
            let ids = ids_for(row.metric);
            let link = items_query
                .as_ref()
                .filter(|_| ITEM_METRICS.contains(&row.metric))
                .map(|q| format!("/analytics/items?{q}&metric={}", row.metric.key()));
            figure_row(row, ids, link, incidents)
        })
        .collect_view();
    let tally = f.items.verification;
    view! {
        <div class="table-wrap">
            <table class="table figures-table">
                <thead>
                    <tr>
                        <th scope="col">"Figure"</th>
                        <th scope="col">{period_label.to_string()}</th>
                        <th scope="col">"Previous"</th>
                        <th scope="col">"Change"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="hint">
            {format!(
                "Prior actions: {} due for verification in the period, {} verified, {} effective. ",
                tally.due, tally.verified, tally.effective
            )}
            <a href="/action-items?standing=awaiting_verification">"Items awaiting verification"</a>
        </p>
    }
}

/// Mean, median and p90 of TTD, TTM and TTR, and the incidents lacking each time.
pub fn durations_view(
    report: &Report,
    incidents: &HashMap<i64, IncidentRef>,
) -> impl IntoView + use<> {
    let f = &report.figures;
    let missing = [
        ("detected", &f.ttd.missing_incident_ids),
        ("mitigated", &f.ttm.missing_incident_ids),
        ("resolved", &f.ttr.missing_incident_ids),
    ]
    .into_iter()
    .filter(|(_, ids)| !ids.is_empty())
    .map(|(what, ids)| view! { <div class="missing">{behind(format!("{} without a {what} time", ids.len()), ids, incidents)}</div> })
    .collect_view();
    let durations = [("TTD", &f.ttd), ("TTM", &f.ttm), ("TTR", &f.ttr)]
        .into_iter()
        .map(|(name, d)| {
            let s = d.summary;
            let show = |v: Option<i64>| format_value(Metric::Mttr, v.map(|v| v as f64));
            view! {
                <tr data-duration=name>
                    <th scope="row">{name}</th>
                    <td>{show(s.mean)}</td>
                    <td>{show(s.median)}</td>
                    <td>{show(s.p90)}</td>
                    <td>{s.with_value}</td>
                    <td>{s.missing}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col"></th><th scope="col">"Mean"</th><th scope="col">"Median"</th>
                        <th scope="col">"p90"</th><th scope="col">"Incidents with the time"</th><th scope="col">"Lacking it"</th>
                    </tr>
                </thead>
                <tbody>{durations}</tbody>
            </table>
        </div>
        {missing}
    }
}

/// How each charted period's incidents were detected, as stacked bars, with a table.
fn detection_chart(labels: &[String], history: &[Vec<u64>]) -> impl IntoView + use<> {
    const W: f64 = 360.0;
    const H: f64 = 120.0;
    let most = history
        .iter()
        .map(|counts| counts.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = W / history.len().max(1) as f64;
    let bars: Vec<_> = history
        .iter()
        .enumerate()
        .flat_map(|(i, counts)| {
            let mut top = H;
            DetectionSource::ALL
                .iter()
                .zip(counts)
                .filter(|(_, n)| **n > 0)
                .map(|(source, n)| {
                    let height = *n as f64 / most as f64 * (H - 4.0);
                    top -= height;
                    (
                        i as f64 * slot + slot * 0.15,
                        top,
                        slot * 0.7,
                        height,
                        source.key(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let rows: Vec<(String, Vec<u64>)> = labels
        .iter()
        .cloned()
        .zip(history.iter().cloned())
        .collect();
    view! {
        <figure class="chart" data-chart="detection">
            <figcaption>"Detected by, per period"</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label="How incidents were detected in each of the charted periods">
                <title>"How incidents were detected in each of the charted periods"</title>
                {bars.into_iter().map(|(x, y, w, h, key)| view! {
                    <rect class=format!("stack {key}") x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{w:.1}") height=format!("{h:.1}") />
                }).collect_view()}
            </svg>
            <details>
                <summary>"Table"</summary>
                <table class="table compact">
                    <thead><tr>
                        <th scope="col">"Period"</th>
                        {DetectionSource::ALL.iter().map(|s| view! { <th scope="col">{s.label()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(label, counts)| view! {
                            <tr><td>{label}</td>{counts.into_iter().map(|n| view! { <td>{n}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

/// Trend lines of the headline figures over the charted periods, and how incidents were
/// detected in each.
pub fn charts_view(report: &Report) -> impl IntoView + use<> {
    let labels: Vec<String> = report.history.iter().map(|p| p.label()).collect();
    let charts: Vec<_> = [
        Metric::Incidents,
        Metric::Mttr,
        Metric::Mttd,
        Metric::DetectionGap,
    ]
    .into_iter()
    .filter_map(|m| report.rows.iter().find(|r| r.metric == m))
    .map(|r| trend_chart(r.metric, &labels, &r.history))
    .collect();
    view! {
        <div class="charts">
            {charts}
            {detection_chart(&labels, &report.detection_history)}
        </div>
    }
}

/// How incidents were detected and how runbooks fared, as bars.
pub fn classification_view(
    report: &Report,
    incidents: &HashMap<i64, IncidentRef>,
) -> impl IntoView + use<> {
    let f = &report.figures;
    view! {
        <div class="charts">
            {share_bars("Detected by", &f.detected_by, DetectionSource::label, DetectionSource::key, incidents)}
            {share_bars("Runbook", &f.runbook, RunbookOutcome::label, RunbookOutcome::key, incidents)}
        </div>
    }
}

/// Each service's availability as a bar against a mark at its SLO target, for the services
/// with the least availability; the table below it holds every service.
fn availability_chart(services: &[ServiceAvailability]) -> impl IntoView + use<> {
    const SHOWN: usize = 12;
    const W: f64 = 360.0;
    const ROW: f64 = 18.0;
    const LABEL: f64 = 110.0;
    let mut shown: Vec<&ServiceAvailability> = services.iter().collect();
    shown.sort_by(|a, b| {
        let value = |s: &ServiceAvailability| s.availability.value().unwrap_or(1.0);
        value(a)
            .total_cmp(&value(b))
            .then_with(|| a.service.cmp(&b.service))
    });
    shown.truncate(SHOWN);
    // The scale starts at the nearest round figure below the lowest availability or target.
    let lowest = shown
        .iter()
        .flat_map(|s| {
            [
                s.availability.value(),
                s.slo_target_percent.map(|p| p / 100.0),
            ]
        })
        .flatten()
        .fold(1.0_f64, f64::min);
    let floor = [0.999, 0.995, 0.99, 0.98, 0.95, 0.9, 0.8, 0.5, 0.0]
        .into_iter()
        .find(|f| *f < lowest)
        .unwrap_or(0.0);
    let x = |v: f64| LABEL + (v - floor) / (1.0 - floor) * (W - LABEL - 4.0);
    let height = ROW * shown.len().max(1) as f64 + 14.0;
    let rows: Vec<_> = shown
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = i as f64 * ROW;
            let value = s.availability.value().unwrap_or(1.0);
            let target = s.slo_target_percent.map(|p| p / 100.0);
            let below = target.is_some_and(|t| value < t);
            (
                s.service.clone(),
                y,
                x(value.max(floor)),
                target.map(x),
                below,
                format!(
                    "{}: {}{}",
                    s.service,
                    format_value(Metric::Availability, Some(value)),
                    s.slo_target_percent
                        .map(|p| format!(" against an SLO of {p}%"))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    let title = format!(
        "Availability against SLO for the {} least available services, on a scale from {} to 100%",
        shown.len(),
        format_value(Metric::Availability, Some(floor))
    );
    let label = title.clone();
    view! {
        <figure class="chart" data-chart="availability">
            <figcaption>"Availability against SLO"</figcaption>
            <svg viewBox=format!("0 0 {W} {height}") role="img" aria-label=label>
                <title>{title}</title>
                {rows.into_iter().map(|(name, y, end, target, below, text)| view! {
                    <g class="availability-row" class:below-slo=below>
                        <title>{text}</title>
                        <text x="0" y=format!("{:.1}", y + 12.0) class="bar-label">{name}</text>
                        <rect class="bar" x=LABEL y=format!("{:.1}", y + 3.0) width=format!("{:.1}", end - LABEL) height="12" />
                        {target.map(|t| view! {
                            <line class="slo-mark" x1=format!("{t:.1}") x2=format!("{t:.1}") y1=format!("{:.1}", y + 1.0) y2=format!("{:.1}", y + 17.0) />
                        })}
                    </g>
                }).collect_view()}
                <text x=LABEL y=format!("{:.1}", height - 2.0) class="axis-label">{format_value(Metric::Availability, Some(floor))}</text>
                <text x=W - 4.0 y=format!("{:.1}", height - 2.0) class="axis-label" text-anchor="end">"100%"</text>
            </svg>
        </figure>
    }
}

/// Each service's availability against its SLO; `by_impact` lists the most affected first.
pub fn availability_view(
    report: &Report,
    incidents: &HashMap<i64, IncidentRef>,
    by_impact: bool,
) -> impl IntoView + use<> {
    let mut services = report.figures.availability.clone();
    if by_impact {
        services.sort_by(|a, b| {
            b.availability
                .impact_seconds
                .cmp(&a.availability.impact_seconds)
        });
    }
    let rows = services
        .iter()
        .map(|s| {
            let value = s.availability.value();
            let budget = s.error_budget.and_then(|b| b.consumed);
            let over = budget.is_some_and(|c| c >= 1.0);
            view! {
                <tr data-service=s.service.clone() class:over-budget=over>
                    <th scope="row">{s.service.clone()}</th>
                    <td>{format_value(Metric::Availability, value)}</td>
                    <td>{s.slo_target_percent.map(|p| format!("{p}%")).unwrap_or_else(|| "–".into())}</td>
                    <td>{format_value(Metric::ErrorBudgetConsumed, budget)}</td>
                    <td>{format_value(Metric::Mttr, Some(s.availability.impact_seconds as f64))}</td>
                    <td>{behind(s.incident_ids.len().to_string(), &s.incident_ids, incidents)}</td>
                </tr>
            }
        })
        .collect_view();
    let chart = (!services.is_empty()).then(|| availability_chart(&services));
    view! {
        {chart}
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Service"</th><th scope="col">"Availability"</th><th scope="col">"SLO"</th>
                        <th scope="col">"Error budget used"</th><th scope="col">"Impact"</th><th scope="col">"Incidents"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn report_view(dto: AnalyticsDto, params: AnalyticsParams) -> AnyView {
    let incidents = incident_index(&dto);
    let report = &dto.report;
    let prev_link = format!("/analytics?{}", params.with_period(&dto.previous_key));
    let next_link = format!("/analytics?{}", params.with_period(&dto.next_key));
    view! {
        <section class="panel" aria-label="Headline">
            <p class="pager">
                <a href=prev_link rel="prev">"← Previous"</a>
                " · " <strong>{dto.period_label.clone()}</strong>
                {dto.scope_label.clone().map(|s| format!(" · {s}"))}
                " · " <a href=next_link rel="next">"Next →"</a>
            </p>
            <p class="headline" role="status">{report.headline.clone()}</p>
        </section>
        <section class="panel" aria-labelledby="findings-heading">
            <h2 id="findings-heading">"Findings"</h2>
            {findings_view(report, &incidents).into_any()}
        </section>
        <section class="panel" aria-labelledby="figures-heading">
            <h2 id="figures-heading">"Figures"</h2>
            {figures_view(report, &dto.period_label, Some(params.with_period(&dto.period_key)), &incidents).into_any()}
        </section>
        <section class="panel" aria-labelledby="durations-heading">
            <h2 id="durations-heading">"Time to detect, mitigate and resolve"</h2>
            {durations_view(report, &incidents).into_any()}
        </section>
        <section class="panel" aria-labelledby="trends-heading">
            <h2 id="trends-heading">"Trends"</h2>
            {charts_view(report).into_any()}
        </section>
        <section class="panel" aria-labelledby="classification-heading">
            <h2 id="classification-heading">"Detection and runbooks"</h2>
            {classification_view(report, &incidents).into_any()}
        </section>
        <section class="panel" aria-labelledby="availability-heading">
            <h2 id="availability-heading">"Availability against SLO"</h2>
            {availability_view(report, &incidents, false).into_any()}
        </section>
    }
    .into_any()
}

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| query.with(params_from));
    let report = Resource::new(move || params.get(), load_analytics);
    view! {
        <Title text="Analytics" />
        <header class="page-header">
            <h1>"Analytics"</h1>
            <p class="lede">"A period's figures against the one before, from the incidents and action items recorded here. "
                <a href="/how-we-measure">"How we measure"</a></p>
        </header>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let p = params.get_untracked();
                let kind = p.kind.clone().unwrap_or_else(|| "month".into());
                view! {
                    <form method="get" action="/analytics" class="filters panel" aria-label="Choose a period">
                        <div class="filter">
                            <label for="filter-kind">"Period kind"</label>
                            <select id="filter-kind" name="kind">
                                {PeriodKind::ALL.iter().map(|k| {
                                    let selected = k.key() == kind;
                                    view! { <option value=k.key() selected=selected>{k.label()}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="filter">
                            <label for="filter-period">"Period"</label>
                            <input id="filter-period" name="period" value=p.period.clone().unwrap_or_default()
                                placeholder="2026-10, 2026-W44, 2026-Q4 or 2026-10-01..2026-10-14" />
                        </div>
                        {filter_picker(Naming::Team, "team", "Team", p.team.clone(), "All")}
                        {filter_picker(Naming::Service, "service", "Service", p.service.clone(), "All")}
                        <div class="filter">
                            <button type="submit" class="button primary small">"Show"</button>
                            " " <a class="button small" href="/analytics">"This month"</a>
                        </div>
                    </form>
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(dto) => report_view(dto, params.get_untracked()).into_any(),
                }
            })}
        </Suspense>
    }
}

/// The action items an item figure counts, from a link on the Analytics page.
#[component]
pub fn AnalyticsItemsPage() -> impl IntoView {
    let query = use_query_map();
    let request =
        Memo::new(move |_| query.with(|q| (params_from(q), q.get("metric").unwrap_or_default())));
    let items = Resource::new(
        move || request.get(),
        |(params, metric)| load_items_behind(params, metric),
    );
    view! {
        <Title text="Action items behind a figure" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (params, _) = request.get_untracked();
                let back = format!("/analytics?{}", params.with_period(params.period.as_deref().unwrap_or_default()));
                match items.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(dto) => items_behind_view(dto, back).into_any(),
                }
            })}
        </Suspense>
    }
}

fn items_behind_view(dto: ItemsBehindDto, back: String) -> impl IntoView {
    let ItemsBehindDto {
        metric,
        period_label,
        scope_label,
        total,
        items,
    } = dto;
    let shown = items.len() as u64;
    let count = match total {
        1 => "1 action item".to_string(),
        n => format!("{n} action items"),
    };
    let more = (total > shown).then(|| format!("The newest {ITEMS_BEHIND_SHOWN} are listed here."));
    view! {
        <header class="page-header">
            <h1>{metric.label()}</h1>
            <p class="lede">
                {period_label} {scope_label.map(|s| format!(" · {s}"))} " · "
                <a href=back>"Back to the figures"</a> " · "
                <a href=format!("/how-we-measure#{}", anchor(metric.label()))>"How it is counted"</a>
            </p>
        </header>
        <section class="panel">
            <p class="count" role="status">{count} " " {more}</p>
            {(!items.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr>
                            <th scope="col">"Item"</th><th scope="col">"State"</th>
                            <th scope="col">"Owner"</th><th scope="col">"Due"</th><th scope="col">"Incident"</th>
                        </tr></thead>
                        <tbody>
                            {items.into_iter().map(|i| view! {
                                <tr data-item=i.id>
                                    <td><a href=format!("/action-items/{}", i.id)>{i.title}</a></td>
                                    <td>{state_badge(i.state)} {i.outcome.map(|o| format!(" {}", o.label()))}</td>
                                    <td>{i.owner.unwrap_or_else(|| "Nobody yet".into())}</td>
                                    <td>{i.due_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "–".into())}</td>
                                    <td><a href=format!("/incidents/{}", i.incident_id)>{format!("#{}", i.incident_id)}</a></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
