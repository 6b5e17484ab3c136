//! One module per page.

pub mod account;
pub mod action_items;
pub mod admin_alerts;
pub mod admin_archive;
pub mod admin_organisation;
pub mod admin_template;
pub mod admin_users;
pub mod analytics;
pub mod api_docs;
pub mod catalog;
pub mod deploys;
pub mod digest;
pub mod home;
pub mod how_we_measure;
pub mod inbox;
pub mod incident_form;
pub mod incident_history;
pub mod incident_import;
pub mod incidents;
pub mod layout;
pub mod login;
pub mod not_found;
pub mod postmortem;
pub mod reviews;
pub mod setup;
