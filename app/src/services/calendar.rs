//! Personal calendar feeds: a secret address per person, revocable, that serves the due dates
//! and verification dates of their items as iCalendar, so the items appear in the calendar
//! they already use.

use crate::domain::action_item::ActionState;
use crate::entities::{action_item, calendar_feed, user};
use crate::error::AppError;
use crate::services::api_tokens::{hash, random_secret};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, Set, TransactionTrait};

/// Every feed secret starts with this, so a leaked address is recognisable.
pub const PREFIX: &str = "hsc_";

/// Makes a new secret address for the person, ending the old one; returns the secret, which
/// is shown once.
pub async fn rotate(
    db: &DatabaseConnection,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let token = random_secret(PREFIX);
    let txn = db.begin().await?;
    calendar_feed::Entity::delete_by_id(user_id)
        .exec(&txn)
        .await?;
    calendar_feed::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(hash(&token)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(token)
}

/// Ends the person's feed; its address answers 404 from now on.
pub async fn revoke(db: &DatabaseConnection, user_id: i64) -> Result<bool, AppError> {
    Ok(calendar_feed::Entity::delete_by_id(user_id)
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// When the person's current feed was made, if they have one.
pub async fn created_at(
    db: &DatabaseConnection,
    user_id: i64,
) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(calendar_feed::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|f| f.created_at))
}

/// One all-day entry of a feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarEntry {
    pub uid: String,
    pub day: NaiveDate,
    pub summary: String,
    pub description: String,
}

/// The feed behind `token`, or `None` when no active person has that secret.
pub async fn feed(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let Some(feed) = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(hash(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(person) = user::Entity::find_by_id(feed.user_id).one(db).await? else {
        return Ok(None);
    };
    if person.disabled {
        return Ok(None);
    }
    let items = action_item::Entity::find()
        .filter(action_item::Column::OwnerId.eq(person.id))
        .filter(action_item::Column::State.is_in([
            ActionState::Open.key(),
            ActionState::InProgress.key(),
            ActionState::Done.key(),
        ]))
        .order_by_asc(action_item::Column::Id)
        .all(db)
        .await?;
    let mut entries = Vec::new();
    for item in items {
        let describe = |what: &str| {
            format!(
                "{what} for action item #{} ({}), raised from incident #{}.",
                item.id,
                item.priority.to_uppercase(),
                item.incident_id
            )
        };
        match (item.state.as_str(), item.due_on, item.verify_on) {
            ("done", _, Some(day)) => entries.push(CalendarEntry {
                uid: format!("action-item-{}-verify@hindsight", item.id),
                day,
                summary: format!("Verify: {}", item.title),
                description: describe("Verification is due"),
            }),
            ("open" | "in_progress", Some(day), _) => entries.push(CalendarEntry {
                uid: format!("action-item-{}-due@hindsight", item.id),
                day,
                summary: format!("Due: {}", item.title),
                description: describe("Due date"),
            }),
            _ => {}
        }
    }
    Ok(Some(ics(&entries, now)))
}

/// RFC 5545 text: backslash, semicolon, comma and newline escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            ch => out.push(ch),
        }
    }
    out
}

/// A content line folded at 75 octets, never inside a character, ending in CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for ch in line.chars() {
        if width + ch.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += ch.len_utf8();
    }
    out.push_str("\r\n");
}

pub fn ics(entries: &[CalendarEntry], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Hindsight//Action items//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Hindsight action items",
    ] {
        fold(line, &mut out);
    }
    for entry in entries {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", entry.uid), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(
            &format!("DTSTART;VALUE=DATE:{}", entry.day.format("%Y%m%d")),
            &mut out,
        );
        fold(
            &format!(
                "DTEND;VALUE=DATE:{}",
                (entry.day + Duration::days(1)).format("%Y%m%d")
            ),
            &mut out,
        );
        fold(&format!("SUMMARY:{}", escape(&entry.summary)), &mut out);
        fold(
            &format!("DESCRIPTION:{}", escape(&entry.description)),
            &mut out,
        );
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_without_splitting_a_character() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "é".repeat(60));
        fold(&line, &mut out);
        for part in out.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(part.len() <= 75, "{} octets: {part}", part.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\nnext"), "a\\, b\\; c\\\\d\\nnext");
    }
}
