//! Pure types and rules shared by the server and the browser: no I/O here.

pub mod account;
pub mod blameless;
pub mod catalog;
pub mod incident;
pub mod links;
pub mod markdown;
pub mod role;

pub use account::{DisplayName, Email, NewPassword, Username};
pub use role::Role;
