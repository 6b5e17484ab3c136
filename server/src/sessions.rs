//! Sessions kept in the application's own database, so they survive a restart and are shared
//! by every app instance on one PostgreSQL.

use app::entities::session;
use app::state::Db;
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{Set, SqlErr};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }

    /// Removes sessions past their expiry; returns how many.
    pub async fn delete_expired(&self) -> Result<u64, DbErr> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let res = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now))
            .exec(self.db.write())
            .await?;
        Ok(res.rows_affected)
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn active_model(record: &Record) -> session_store::Result<session::ActiveModel> {
    Ok(session::ActiveModel {
        id: Set(record.id.to_string()),
        data: Set(serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?),
        expires_at: Set(record.expiry_date.unix_timestamp()),
    })
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            match session::Entity::insert(active_model(record)?)
                .exec(self.db.write())
                .await
            {
                Ok(_) => return Ok(()),
                Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default();
                }
                Err(err) => return Err(backend(err)),
            }
        }
    }

    /// Updates an existing session only: a session deleted at sign-out must not be written back
    /// by a request that was still in flight. New and cycled sessions go through `create`.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let row = active_model(record)?;
        session::Entity::update_many()
            .col_expr(session::Column::Data, Expr::value(row.data.unwrap()))
            .col_expr(
                session::Column::ExpiresAt,
                Expr::value(row.expires_at.unwrap()),
            )
            .filter(session::Column::Id.eq(record.id.to_string()))
            .exec(self.db.write())
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let Some(row) = session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(now))
            .one(self.db.read())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(row.expires_at)
                .map_err(backend)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(id.to_string())
            .exec(self.db.write())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
