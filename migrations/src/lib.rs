//! The database schema, as an append-only list of migrations run at start-up and in every test
//! database.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_accounts;
mod m20261124_000002_catalog;
mod m20261124_000003_api_tokens;
mod m20261124_000004_incidents;
mod m20261124_000005_postmortems;
mod m20261124_000006_incident_search;
mod m20261124_000007_incident_filter_indexes;
mod m20261124_000008_action_items;
mod m20261124_000009_action_item_follow_through;
mod m20261124_000010_organisation;
mod m20261130_000011_analytics;
mod m20261130_000012_reviews;
mod m20261130_000013_analytics_indexes;
mod m20261130_000014_action_item_panel_indexes;
mod m20261130_000015_alerts;
mod m20261130_000016_open_incident_index;
mod m20261206_000017_action_item_due_index;
mod m20261208_000018_search_merged_later;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_accounts::Migration),
            Box::new(m20261124_000002_catalog::Migration),
            Box::new(m20261124_000003_api_tokens::Migration),
            Box::new(m20261124_000004_incidents::Migration),
            Box::new(m20261124_000005_postmortems::Migration),
            Box::new(m20261124_000006_incident_search::Migration),
            Box::new(m20261124_000007_incident_filter_indexes::Migration),
            Box::new(m20261124_000008_action_items::Migration),
            Box::new(m20261124_000009_action_item_follow_through::Migration),
            Box::new(m20261124_000010_organisation::Migration),
            Box::new(m20261130_000011_analytics::Migration),
            Box::new(m20261130_000012_reviews::Migration),
            Box::new(m20261130_000013_analytics_indexes::Migration),
            Box::new(m20261130_000014_action_item_panel_indexes::Migration),
            Box::new(m20261130_000015_alerts::Migration),
            Box::new(m20261130_000016_open_incident_index::Migration),
            Box::new(m20261206_000017_action_item_due_index::Migration),
            Box::new(m20261208_000018_search_merged_later::Migration),
        ]
    }
}
