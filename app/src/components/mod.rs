//! Pieces of view shared by pages.

pub mod form;
pub mod notice;
pub mod shell;
