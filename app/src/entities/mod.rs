//! sea-orm models of the tables. They stay on the server; the browser sees DTOs.

pub mod api_token;
pub mod incident;
pub mod incident_repeat;
pub mod incident_service;
pub mod incident_tag;
pub mod login_failure;
pub mod service;
pub mod session;
pub mod team;
pub mod user;
