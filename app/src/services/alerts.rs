//! Incidents opened and kept up to date by alerting systems: each source's secret and rules, and
//! taking in a delivery in one transaction, so that a repeated delivery changes nothing and a
//! refused one leaves nothing behind.

use crate::domain::Role;
use crate::domain::alert::{
    AlertNotice, AlertSourceKind, AlertStatus, Delivery, LabelRules, MappingKind, UNMAPPED_SEVERITY,
};
use crate::domain::history::{FieldChange, HistoryAction, Subject};
use crate::domain::incident::{DetectionSource, KeyTimes, Severity};
use crate::domain::timeline::{EventKind, KeyMoment};
use crate::entities::{
    alert, alert_delivery, alert_group, alert_mapping, alert_source, incident, incident_service,
    service, user,
};
use crate::error::AppError;
use crate::services::api_tokens::{hash, random_secret};
use crate::services::incidents::{self, IncidentInput, whole_seconds};
use crate::services::timeline::{self, EventInput};
use crate::services::{catalog, history};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseTransaction, QueryOrder, Set, SqlErr, TransactionTrait};
use std::collections::{BTreeMap, HashMap};

/// Alertmanager's bearer tokens start with this, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "hs_am_";

/// Descriptions longer than this are cut in timeline events; the alert's link has the rest.
const DESCRIPTION_CHARS: usize = 2_000;

pub async fn source(
    db: &impl ConnectionTrait,
    kind: AlertSourceKind,
) -> Result<Option<alert_source::Model>, AppError> {
    Ok(alert_source::Entity::find_by_id(kind.key().to_string())
        .one(db)
        .await?)
}

/// A source's label rules in the order an admin reads them.
pub async fn mappings(
    db: &impl ConnectionTrait,
    kind: AlertSourceKind,
) -> Result<Vec<alert_mapping::Model>, AppError> {
    Ok(alert_mapping::Entity::find()
        .filter(alert_mapping::Column::Source.eq(kind.key()))
        .order_by_asc(alert_mapping::Column::Kind)
        .order_by_asc(alert_mapping::Column::Label)
        .order_by_asc(alert_mapping::Column::Value)
        .all(db)
        .await?)
}

pub async fn rules(
    db: &impl ConnectionTrait,
    source: &alert_source::Model,
) -> Result<LabelRules, AppError> {
    let kind = AlertSourceKind::parse(&source.source).map_err(AppError::internal)?;
    let mut rules = LabelRules {
        service_labels: source
            .service_labels
            .split(',')
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        fallback_service: source.fallback_service_id,
        ..Default::default()
    };
    for m in mappings(db, kind).await? {
        match (m.service_id, m.severity.as_deref().map(Severity::parse)) {
            (Some(id), _) => rules.services.push((m.label, m.value, id)),
            (None, Some(Ok(severity))) => rules.severities.push((m.label, m.value, severity)),
            _ => {}
        }
    }
    Ok(rules)
}

/// The account a source's incidents and events are recorded as written by. It cannot sign in.
async fn actor_account(
    db: &impl ConnectionTrait,
    kind: AlertSourceKind,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let username = kind.account_username();
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?
    {
        return Ok(existing.id);
    }
    let created = user::ActiveModel {
        username: Set(username.to_string()),
        display_name: Set(kind.label().to_string()),
        email: Set(format!("{username}@hindsight.invalid")),
        // Not a hash any password matches.
        password_hash: Set("!".to_string()),
        role: Set(Role::Engineer.as_str().to_string()),
        disabled: Set(true),
        session_epoch: Set(0),
        created_at: Set(now),
        last_login_at: Set(None),
        time_zone: Set("UTC".to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(created.id)
}

fn check_pagerduty_secret(secret: Option<&str>) -> Result<String, AppError> {
    let secret = secret.unwrap_or_default().trim();
    let problem = if secret.is_empty() {
        Some("is required: copy it from the webhook subscription in PagerDuty")
    } else if secret.len() > 256 {
        Some("must be at most 256 characters")
    } else if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("may not contain spaces")
    } else {
        None
    };
    match problem {
        Some(message) => Err(AppError::validation("secret", "Signing secret", message)),
        None => Ok(secret.to_string()),
    }
}

/// Turns a source on, or gives it a new secret (keeping its rules). For Alertmanager a token
/// is made and returned: the only time it is seen. PagerDuty's secret is the one PagerDuty made.
#[tracing::instrument(skip(db, pagerduty_secret))]
pub async fn set_secret(
    db: &DatabaseConnection,
    kind: AlertSourceKind,
    pagerduty_secret: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let (stored, shown) = match kind {
        AlertSourceKind::Alertmanager => {
            let token = random_secret(TOKEN_PREFIX);
            (hash(&token), Some(token))
        }
        AlertSourceKind::PagerDuty => (check_pagerduty_secret(pagerduty_secret)?, None),
    };
    let txn = db.begin().await?;
    match source(&txn, kind).await? {
        Some(existing) => {
            let mut active: alert_source::ActiveModel = existing.clone().into();
            active.secret = Set(stored);
            active.version = Set(existing.version + 1);
            active.update(&txn).await?;
        }
        None => {
            let actor_id = actor_account(&txn, kind, now).await?;
            alert_source::ActiveModel {
                source: Set(kind.key().to_string()),
                secret: Set(stored),
                actor_id: Set(actor_id),
                service_labels: Set(kind.default_service_labels().join(",")),
                fallback_service_id: Set(None),
                last_delivery_at: Set(None),
                last_error: Set(None),
                last_error_at: Set(None),
                created_at: Set(now),
                version: Set(1),
            }
            .insert(&txn)
            .await?;
            alert_mapping::Entity::insert_many(kind.default_severity_rules().into_iter().map(
                |(label, value, severity)| alert_mapping::ActiveModel {
                    source: Set(kind.key().to_string()),
                    kind: Set(MappingKind::Severity.key().to_string()),
                    label: Set(label.to_string()),
                    value: Set(value.to_string()),
                    service_id: Set(None),
                    severity: Set(Some(severity.key().to_string())),
                    ..Default::default()
                },
            ))
            .exec(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    tracing::info!(source = kind.key(), "alert source secret set");
    Ok(shown)
}

/// Turns a source off: its deliveries are refused and its rules are gone. Incidents it opened stay.
pub async fn remove(db: &DatabaseConnection, kind: AlertSourceKind) -> Result<(), AppError> {
    let res = alert_source::Entity::delete_by_id(kind.key().to_string())
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    tracing::warn!(source = kind.key(), "alert source removed");
    Ok(())
}

/// Which labels name a service and where unmatched alerts go, if the source is still at `version`.
pub async fn save_settings(
    db: &DatabaseConnection,
    kind: AlertSourceKind,
    service_labels: Vec<String>,
    fallback_service_id: Option<i64>,
    version: i64,
) -> Result<alert_source::Model, AppError> {
    if let Some(id) = fallback_service_id
        && service::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(AppError::validation(
            "fallback_service_id",
            "Fallback service",
            "does not exist",
        ));
    }
    let res = alert_source::Entity::update_many()
        .set(alert_source::ActiveModel {
            service_labels: Set(service_labels.join(",")),
            fallback_service_id: Set(fallback_service_id),
            version: Set(version + 1),
            ..Default::default()
        })
        .filter(alert_source::Column::Source.eq(kind.key()))
        .filter(alert_source::Column::Version.eq(version))
        .exec(db)
        .await?;
    let current = source(db, kind).await?.ok_or(AppError::NotFound)?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict {
            current_version: current.version,
        });
    }
    Ok(current)
}

/// What a new label rule decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleTarget {
    Service(i64),
    Severity(Severity),
}

pub async fn add_mapping(
    db: &DatabaseConnection,
    kind: AlertSourceKind,
    label: String,
    value: String,
    target: RuleTarget,
) -> Result<alert_mapping::Model, AppError> {
    if source(db, kind).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if let RuleTarget::Service(id) = target
        && service::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(AppError::validation(
            "service_id",
            "Service",
            "does not exist",
        ));
    }
    let (mapping_kind, service_id, severity) = match target {
        RuleTarget::Service(id) => (MappingKind::Service, Some(id), None),
        RuleTarget::Severity(s) => (MappingKind::Severity, None, Some(s.key().to_string())),
    };
    alert_mapping::ActiveModel {
        source: Set(kind.key().to_string()),
        kind: Set(mapping_kind.key().to_string()),
        label: Set(label.clone()),
        value: Set(value.clone()),
        service_id: Set(service_id),
        severity: Set(severity),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::validation(
            "value",
            "Value",
            format!(
                "already has a {} rule for {label}={value}; remove that one first",
                mapping_kind.label().to_lowercase()
            ),
        ),
        _ => AppError::internal(err),
    })
}

pub async fn remove_mapping(
    db: &DatabaseConnection,
    kind: AlertSourceKind,
    id: i64,
) -> Result<(), AppError> {
    let res = alert_mapping::Entity::delete_many()
        .filter(alert_mapping::Column::Id.eq(id))
        .filter(alert_mapping::Column::Source.eq(kind.key()))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The Alertmanager source whose token this is, if any.
pub async fn authenticate_alertmanager(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<alert_source::Model>, AppError> {
    Ok(source(db, AlertSourceKind::Alertmanager)
        .await?
        .filter(|s| s.secret == hash(token.trim())))
}

/// Keeps why a delivery was refused, for the admin page.
pub async fn record_refusal(
    db: &DatabaseConnection,
    kind: AlertSourceKind,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    alert_source::Entity::update_many()
        .set(alert_source::ActiveModel {
            last_error: Set(Some(message.chars().take(1_000).collect())),
            last_error_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(alert_source::Column::Source.eq(kind.key()))
        .exec(db)
        .await?;
    Ok(())
}

/// What a delivery did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    Opened {
        incident_id: i64,
    },
    Updated {
        incident_id: i64,
    },
    /// Nothing in it was new.
    Unchanged {
        incident_id: i64,
    },
    /// The sender had delivered it before.
    Duplicate,
    /// Nothing to act on, and why.
    Ignored(String),
}

/// Takes in a delivery from `source`: opens an incident for a group with no open one, records
/// what changed as timeline events, and resolves the incident when every alert has resolved.
#[tracing::instrument(skip(db, source, delivery), fields(source = %source.source, group = %delivery.group_key))]
pub async fn receive(
    db: &DatabaseConnection,
    source: &alert_source::Model,
    delivery: Delivery,
    now: DateTime<Utc>,
) -> Result<Received, AppError> {
    let kind = AlertSourceKind::parse(&source.source).map_err(AppError::internal)?;
    let txn = db.begin().await?;
    // Changing the source's row first holds it until commit: deliveries of one source are taken
    // in one after another, so two of them never both open an incident for the same group.
    alert_source::Entity::update_many()
        .set(alert_source::ActiveModel {
            last_delivery_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(alert_source::Column::Source.eq(kind.key()))
        .exec(&txn)
        .await?;
    if let Some(id) = &delivery.delivery_id {
        let seen = alert_delivery::Entity::find_by_id((source.source.clone(), id.clone()))
            .one(&txn)
            .await?
            .is_some();
        if seen {
            txn.commit().await?;
            return Ok(Received::Duplicate);
        }
        alert_delivery::ActiveModel {
            source: Set(source.source.clone()),
            delivery_id: Set(id.clone()),
            received_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }

    let latest = alert_group::Entity::find()
        .filter(alert_group::Column::Source.eq(kind.key()))
        .filter(alert_group::Column::GroupKey.eq(delivery.group_key.as_str()))
        .order_by_desc(alert_group::Column::Id)
        .one(&txn)
        .await?;
    let mut known = HashMap::new();
    let mut open = None;
    if let Some(group) = &latest {
        for a in alert::Entity::find()
            .filter(alert::Column::GroupId.eq(group.id))
            .all(&txn)
            .await?
        {
            known.insert((a.fingerprint.clone(), a.starts_at), a);
        }
        let incident = incident::Entity::find_by_id(group.incident_id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        if incident.resolved_at.is_none() {
            open = Some((group.clone(), incident));
        }
    }
    let identity = |a: &AlertNotice| (a.fingerprint.clone(), whole_seconds(a.starts_at));
    let rules = rules(&txn, source).await?;
    let (group, incident, opened) = match open {
        Some((group, incident)) => (group, incident, false),
        None => {
            // Alerts of a closed incident that are still going on stay with it; only an alert
            // that starts again opens a new incident.
            let fresh: Vec<&AlertNotice> = delivery
                .alerts
                .iter()
                .filter(|a| a.status != AlertStatus::Resolved && !known.contains_key(&identity(a)))
                .collect();
            if fresh.is_empty() {
                txn.commit().await?;
                return Ok(match latest {
                    Some(group) => Received::Unchanged {
                        incident_id: group.incident_id,
                    },
                    None => Received::Ignored(
                        "no incident is open for this group and none of its alerts is firing"
                            .into(),
                    ),
                });
            }
            let input = incident_input(&txn, &delivery, &fresh, &rules).await?;
            let record = incidents::create(&txn, input, source.actor_id, now).await?;
            let group = alert_group::ActiveModel {
                source: Set(kind.key().to_string()),
                group_key: Set(delivery.group_key.clone()),
                incident_id: Set(record.incident.id),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (group, record.incident, true)
        }
    };

    // A new incident takes only the alerts its closed predecessor did not have.
    let mut alerts: Vec<&AlertNotice> = delivery
        .alerts
        .iter()
        .filter(|a| !opened || !known.contains_key(&identity(a)))
        .collect();
    if opened {
        known.clear();
    }
    alerts.sort_by_key(|a| (a.starts_at, a.fingerprint.clone()));
    let mut events: Vec<EventInput> = Vec::new();
    let mut acknowledged: Option<DateTime<Utc>> = None;
    let mut new_services: Vec<i64> = Vec::new();
    let service_ids = services_by_name(&txn).await?;
    for notice in alerts {
        let key = identity(notice);
        let before = known
            .get(&key)
            .map(|a| AlertStatus::parse(&a.status).unwrap_or(AlertStatus::Firing));
        let changed = match (before, notice.status) {
            (None, _) => true,
            (Some(AlertStatus::Resolved), _) => false,
            (Some(b), n) => b != n,
        };
        if !changed {
            continue;
        }
        if before.is_none() {
            events.push(event(kind, notice, AlertStatus::Firing, notice.starts_at));
            new_services.extend(rules.services_of(&notice.labels, &service_ids));
        }
        match notice.status {
            AlertStatus::Firing if before == Some(AlertStatus::Acknowledged) => {
                events.push(event(
                    kind,
                    notice,
                    AlertStatus::Firing,
                    changed_at(notice, now),
                ));
            }
            AlertStatus::Firing => {}
            AlertStatus::Acknowledged => {
                let at = changed_at(notice, now);
                acknowledged = Some(acknowledged.map_or(at, |t| t.min(at)));
                events.push(event(kind, notice, AlertStatus::Acknowledged, at));
            }
            AlertStatus::Resolved => {
                let at = notice.ends_at.unwrap_or_else(|| changed_at(notice, now));
                events.push(event(kind, notice, AlertStatus::Resolved, at));
            }
        }
        let ends_at = (notice.status == AlertStatus::Resolved)
            .then(|| whole_seconds(notice.ends_at.unwrap_or_else(|| changed_at(notice, now))));
        match known.get(&key) {
            Some(row) => {
                let mut active: alert::ActiveModel = row.clone().into();
                active.status = Set(notice.status.key().to_string());
                active.ends_at = Set(ends_at);
                active.updated_at = Set(now);
                active.update(&txn).await?;
            }
            None => {
                let row = alert::ActiveModel {
                    group_id: Set(group.id),
                    fingerprint: Set(key.0.clone()),
                    starts_at: Set(key.1),
                    status: Set(notice.status.key().to_string()),
                    ends_at: Set(ends_at),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                known.insert(key, row);
            }
        }
    }

    if events.is_empty() {
        txn.commit().await?;
        return Ok(Received::Unchanged {
            incident_id: incident.id,
        });
    }
    let all_resolved = alert::Entity::find()
        .filter(alert::Column::GroupId.eq(group.id))
        .filter(alert::Column::Status.ne(AlertStatus::Resolved.key()))
        .count(&txn)
        .await?
        == 0;
    let mut incident = incident;
    if !opened {
        incident = add_services(&txn, incident, &new_services, source.actor_id, now).await?;
    }
    if let Some(at) = acknowledged.filter(|_| incident.acknowledged_at.is_none()) {
        incident = set_acknowledged(&txn, incident, at, source.actor_id, now).await?;
    }
    if all_resolved && incident.resolved_at.is_none() {
        // The last resolution marks the incident resolved, never before its other key times.
        let times = incident.key_times();
        let floor = [
            Some(times.started),
            times.detected,
            times.acknowledged,
            times.mitigated,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(times.started);
        if let Some(last) = events
            .iter_mut()
            .filter(|e| e.kind == EventKind::Resolution)
            .max_by_key(|e| e.occurred_at)
        {
            last.occurred_at = last.occurred_at.max(floor);
            last.marks = Some(KeyMoment::Resolved);
        }
    }
    events.sort_by_key(|e| e.occurred_at);
    for input in events {
        timeline::create_in(&txn, incident.id, input, source.actor_id, now).await?;
    }
    txn.commit().await?;
    tracing::info!(incident_id = incident.id, opened, "alert delivery taken in");
    Ok(if opened {
        Received::Opened {
            incident_id: incident.id,
        }
    } else {
        Received::Updated {
            incident_id: incident.id,
        }
    })
}

fn changed_at(notice: &AlertNotice, now: DateTime<Utc>) -> DateTime<Utc> {
    notice.changed_at.unwrap_or(now)
}

async fn services_by_name(db: &impl ConnectionTrait) -> Result<HashMap<String, i64>, AppError> {
    Ok(catalog::service_names(db)
        .await?
        .into_iter()
        .map(|(id, name)| (name.to_lowercase(), id))
        .collect())
}

fn labels_text(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn incident_input(
    db: &impl ConnectionTrait,
    delivery: &Delivery,
    fresh: &[&AlertNotice],
    rules: &LabelRules,
) -> Result<IncidentInput, AppError> {
    let service_ids = services_by_name(db).await?;
    let mut services: Vec<i64> = fresh
        .iter()
        .flat_map(|a| rules.services_of(&a.labels, &service_ids))
        .collect();
    if services.is_empty() {
        services.extend(rules.fallback_service);
    }
    if services.is_empty() {
        let seen: Vec<String> = fresh.iter().map(|a| labels_text(&a.labels)).collect();
        return Err(AppError::validation(
            "labels",
            "Alert labels",
            format!(
                "name no service Hindsight knows (tried labels {}; the alert has {}). \
                 Add a rule or a fallback service under Admin → Alerts",
                if rules.service_labels.is_empty() {
                    "none".to_string()
                } else {
                    rules.service_labels.join(", ")
                },
                seen.join("; ")
            ),
        ));
    }
    let severity = fresh
        .iter()
        .filter_map(|a| rules.severity_of(&a.labels))
        .min()
        .unwrap_or(UNMAPPED_SEVERITY);
    let started = fresh
        .iter()
        .map(|a| whole_seconds(a.starts_at))
        .min()
        .expect("a fresh alert");
    let summary = fresh
        .iter()
        .filter(|a| !a.description.is_empty())
        .map(|a| excerpt(&a.description))
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(IncidentInput {
        title: delivery.title.clone(),
        summary,
        severity,
        service_ids: services,
        customer_impact: false,
        impact_description: String::new(),
        times: KeyTimes {
            started,
            detected: Some(started),
            acknowledged: None,
            mitigated: None,
            resolved: None,
        },
        detected_by: Some(DetectionSource::Alert),
        monitoring_should_have_caught: None,
        known_problem: None,
        repeats: Vec::new(),
        runbook_outcome: None,
        cause_category: None,
        tags: Vec::new(),
    })
}

fn excerpt(text: &str) -> String {
    if text.chars().count() <= DESCRIPTION_CHARS {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(DESCRIPTION_CHARS).collect();
        cut.push('…');
        cut
    }
}

/// A label or name inside markdown, shown as code so that nothing in it is read as markup.
fn code(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| *c != '`' && !c.is_control())
        .collect();
    format!("`{clean}`")
}

fn event(
    kind: AlertSourceKind,
    notice: &AlertNotice,
    status: AlertStatus,
    at: DateTime<Utc>,
) -> EventInput {
    let what = match status {
        AlertStatus::Firing => "firing",
        AlertStatus::Acknowledged => "acknowledged",
        AlertStatus::Resolved => "resolved",
    };
    let mut body = format!("**{}: {} {what}**", kind.label(), code(&notice.name));
    if let Some(by) = notice
        .by
        .as_deref()
        .filter(|_| status != AlertStatus::Firing)
    {
        body.push_str(&format!(" by {}", code(by)));
    }
    if status == AlertStatus::Firing && !notice.description.is_empty() {
        body.push_str("\n\n");
        body.push_str(&excerpt(&notice.description));
    }
    if status == AlertStatus::Firing && !notice.labels.is_empty() {
        body.push_str("\n\n");
        body.push_str(
            &notice
                .labels
                .iter()
                .map(|(k, v)| code(&format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    if let Some(link) = notice
        .link
        .as_deref()
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
    {
        body.push_str(&format!("\n\n[Open in {}](<{link}>)", kind.label()));
    }
    EventInput {
        occurred_at: at,
        kind: match status {
            AlertStatus::Firing => EventKind::Detection,
            AlertStatus::Acknowledged => EventKind::Escalation,
            AlertStatus::Resolved => EventKind::Resolution,
        },
        body,
        marks: None,
    }
}

async fn add_services(
    txn: &DatabaseTransaction,
    incident: incident::Model,
    wanted: &[i64],
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<incident::Model, AppError> {
    let current = incidents::service_ids_for(txn, &[incident.id])
        .await?
        .remove(&incident.id)
        .unwrap_or_default();
    let mut added: Vec<i64> = wanted
        .iter()
        .copied()
        .filter(|id| !current.contains(id))
        .collect();
    added.sort_unstable();
    added.dedup();
    if added.is_empty() {
        return Ok(incident);
    }
    incident_service::Entity::insert_many(added.iter().map(|&service_id| {
        incident_service::ActiveModel {
            incident_id: Set(incident.id),
            service_id: Set(service_id),
        }
    }))
    .exec(txn)
    .await?;
    let names = catalog::service_names(txn).await?;
    let list = |ids: &[i64]| {
        let mut n: Vec<&str> = ids
            .iter()
            .filter_map(|id| names.get(id).map(String::as_str))
            .collect();
        n.sort_unstable();
        n.join(", ")
    };
    let after: Vec<i64> = current.iter().chain(added.iter()).copied().collect();
    bump(
        txn,
        &incident,
        |_| {},
        FieldChange::new(
            "services",
            "Affected services",
            list(&current),
            list(&after),
        ),
        "a new alert in the group",
        actor_id,
        now,
    )
    .await
}

async fn set_acknowledged(
    txn: &DatabaseTransaction,
    incident: incident::Model,
    at: DateTime<Utc>,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<incident::Model, AppError> {
    let times = incident.key_times();
    let floor = times.detected.unwrap_or(times.started);
    let ceiling = times.mitigated.or(times.resolved);
    let mut at = whole_seconds(at).max(floor);
    if let Some(c) = ceiling {
        at = at.min(c);
    }
    bump(
        txn,
        &incident,
        |a| a.acknowledged_at = Set(Some(at)),
        FieldChange::new(
            "acknowledged_at",
            "Acknowledged",
            String::new(),
            at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        ),
        "acknowledged in the alerting system",
        actor_id,
        now,
    )
    .await
}

/// Changes the incident from the version read, so that a person's edit in between is not lost,
/// and records the change in its history as the source's doing.
async fn bump(
    txn: &DatabaseTransaction,
    incident: &incident::Model,
    change: impl FnOnce(&mut incident::ActiveModel),
    described: FieldChange,
    note: &str,
    actor_id: i64,
    now: DateTime<Utc>,
) -> Result<incident::Model, AppError> {
    incidents::change_from(txn, incident, now, change).await?;
    history::record(
        txn,
        history::Entry {
            incident_id: Some(incident.id),
            subject: Subject::Incident,
            subject_id: Some(incident.id),
            action: HistoryAction::Updated,
            actor_id,
            at: now,
            changes: &[described],
            note: Some(note),
        },
    )
    .await?;
    incident::Entity::find_by_id(incident.id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)
}
