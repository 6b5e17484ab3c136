//! sea-orm models of the tables. They stay on the server; the browser sees DTOs.

pub mod api_token;
pub mod login_failure;
pub mod service;
pub mod session;
pub mod team;
pub mod user;
