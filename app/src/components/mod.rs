//! Pieces of view shared by pages.

pub mod action_items;
pub mod form;
pub mod notice;
pub mod picker;
pub mod shell;
