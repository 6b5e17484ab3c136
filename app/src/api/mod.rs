//! Server functions: each loads the session user, checks the role and the object, parses its
//! input into domain types, calls a service and maps the error. Nothing else.

pub mod accounts;
pub mod action_items;
pub mod alerts;
pub mod analytics;
pub mod archive;
pub mod catalog;
pub mod deploys;
pub mod history;
pub mod incident_import;
pub mod incidents;
pub mod organisation;
pub mod postmortems;
pub mod reviews;
pub mod timeline;
pub mod tokens;
