//! sea-orm models of the tables. They stay on the server; the browser sees DTOs.

pub mod action_item;
pub mod action_item_incident;
pub mod api_token;
pub mod calendar_feed;
pub mod deploy;
pub mod history_entry;
pub mod incident;
pub mod incident_repeat;
pub mod incident_service;
pub mod incident_tag;
pub mod login_failure;
pub mod notice;
pub mod organisation;
pub mod postmortem;
pub mod postmortem_template;
pub mod review;
pub mod review_item;
pub mod service;
pub mod session;
pub mod team;
pub mod timeline_event;
pub mod user;
