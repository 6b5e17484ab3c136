//! Queries and transactions, as plain async functions over a database connection.

pub mod accounts;
pub mod action_items;
pub mod alerts;
pub mod analytics;
pub mod api_tokens;
pub mod archive;
pub mod calendar;
pub mod catalog;
pub mod data_version;
pub mod deploys;
pub mod digest;
pub mod gauges;
pub mod history;
pub mod incident_export;
pub mod incident_import;
pub mod incidents;
pub mod login_throttle;
pub mod markdown;
pub mod notices;
pub mod organisation;
pub mod passwords;
pub mod postmortems;
pub mod reviews;
pub mod search;
pub mod timeline;
