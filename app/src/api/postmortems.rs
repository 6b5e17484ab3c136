//! The postmortem write-up for the pages: read, save from a version, compare with the current
//! text after a conflict, move through review; and the template admins keep.

use crate::domain::history::DiffLine;
use crate::domain::postmortem::{PostmortemStatus, ReviewMove};
use crate::domain::time::ShownTime;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    auth,
    domain::Role,
    domain::time::show,
    entities::user,
    services::{history, markdown, postmortems},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostmortemDto {
    pub incident_id: i64,
    pub body: String,
    /// The saved text rendered and sanitised on the server.
    pub body_html: String,
    pub status: PostmortemStatus,
    /// 0 until the first save.
    pub version: i64,
    pub lint_warnings: i32,
    pub updated_by: Option<String>,
    pub updated: Option<ShownTime>,
    pub published_by: Option<String>,
    pub published: Option<ShownTime>,
    pub reopen_reason: Option<String>,
    /// Why it was published without a committed action item.
    pub no_action_reason: Option<String>,
    /// Committed action items answering the incident; publishing without any needs a reason.
    pub committed_items: u64,
    pub can_edit: bool,
    /// The review moves the asking person may make now.
    pub moves: Vec<ReviewMove>,
}

/// The current postmortem next to the text someone tried to save over it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostmortemConflict {
    pub current: PostmortemDto,
    /// From the current text to theirs.
    pub diff: Vec<DiffLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDto {
    pub body: String,
    pub version: i64,
}

#[cfg(feature = "ssr")]
async fn dto(
    db: &sea_orm::DatabaseConnection,
    postmortem: postmortems::Postmortem,
    me: &auth::CurrentUser,
) -> Result<PostmortemDto, AppError> {
    use sea_orm::EntityTrait;
    let name = async |id: Option<i64>| -> Result<Option<String>, AppError> {
        Ok(match id {
            Some(id) => user::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|u| u.display_name),
            None => None,
        })
    };
    let zone = me.zone();
    Ok(PostmortemDto {
        incident_id: postmortem.incident_id,
        body_html: markdown::render(&postmortem.body),
        status: postmortem.status,
        version: postmortem.version,
        lint_warnings: postmortem.lint_warnings,
        updated_by: name(postmortem.updated_by).await?,
        updated: postmortem.updated_at.map(|t| show(t, zone)),
        published_by: name(postmortem.published_by).await?,
        published: postmortem.published_at.map(|t| show(t, zone)),
        reopen_reason: postmortem.reopen_reason,
        no_action_reason: postmortem.no_action_reason,
        committed_items: crate::services::action_items::committed_count(db, postmortem.incident_id)
            .await?,
        can_edit: me.role.includes(Role::Engineer) && postmortem.status.editable(),
        moves: if postmortem.version == 0 {
            Vec::new()
        } else {
            postmortem
                .status
                .moves()
                .iter()
                .copied()
                .filter(|m| me.role.includes(m.needs()))
                .collect()
        },
        body: postmortem.body,
    })
}

#[server(endpoint = "postmortem")]
pub async fn load_postmortem(incident_id: i64) -> Result<PostmortemDto, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Viewer).await?;
            let db = auth::state()?.db;
            let postmortem = postmortems::get(db.read(), incident_id).await?;
            dto(db.read(), postmortem, &me).await
        }
        .await,
    )
}

/// Saves the text if the postmortem is still at `version`; a stale version is a conflict.
#[server(endpoint = "postmortem/save")]
pub async fn save_postmortem(
    incident_id: i64,
    version: i64,
    body: String,
) -> Result<PostmortemDto, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Engineer).await?;
            let state = auth::state()?;
            let saved = postmortems::save(
                state.db.write(),
                incident_id,
                version,
                body,
                me.id,
                state.clock.now(),
            )
            .await?;
            dto(state.db.write(), saved, &me).await
        }
        .await,
    )
}

/// The saved postmortem and how `mine` differs from it, for resolving a conflict.
#[server(endpoint = "postmortem/compare")]
pub async fn compare_postmortem(
    incident_id: i64,
    mine: String,
) -> Result<PostmortemConflict, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Engineer).await?;
            let db = auth::state()?.db;
            let current = postmortems::get(db.read(), incident_id).await?;
            let diff = history::diff(&current.body, &mine);
            Ok(PostmortemConflict {
                current: dto(db.read(), current, &me).await?,
                diff,
            })
        }
        .await,
    )
}

#[server(endpoint = "postmortem/review")]
pub async fn review_postmortem(
    incident_id: i64,
    action: String,
    #[server(default)] reason: String,
) -> Result<PostmortemDto, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Engineer).await?;
            let action = AppError::check("action", "Action", ReviewMove::parse(&action))?;
            let state = auth::state()?;
            let moved = postmortems::review(
                state.db.write(),
                incident_id,
                action,
                me.role,
                Some(reason),
                me.id,
                state.clock.now(),
            )
            .await?;
            dto(state.db.write(), moved, &me).await
        }
        .await,
    )
}

#[server(endpoint = "admin/template")]
pub async fn load_template() -> Result<TemplateDto, AppError> {
    auth::respond(
        async {
            auth::require(Role::Admin).await?;
            let t = postmortems::template(auth::state()?.db.read()).await?;
            Ok(TemplateDto {
                body: t.body,
                version: t.version,
            })
        }
        .await,
    )
}

#[server(endpoint = "admin/template/save")]
pub async fn save_template(version: i64, body: String) -> Result<TemplateDto, AppError> {
    auth::respond(
        async {
            let me = auth::require(Role::Admin).await?;
            let state = auth::state()?;
            let t = postmortems::save_template(
                state.db.write(),
                version,
                body,
                me.id,
                state.clock.now(),
            )
            .await?;
            Ok(TemplateDto {
                body: t.body,
                version: t.version,
            })
        }
        .await,
    )
}
