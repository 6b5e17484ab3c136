//! One module per page.

pub mod account;
pub mod admin_users;
pub mod catalog;
pub mod home;
pub mod incidents;
pub mod layout;
pub mod login;
pub mod not_found;
pub mod setup;
