//! The Hindsight server: configuration, database connections and migrations, sessions, the
//! security layers and the router. `main.rs` is the command line around it.

// Rendering the lazy routes' pages nests futures of view types deeper than the default limit.
#![recursion_limit = "256"]

pub mod admission;
pub mod archive;
pub mod assets;
pub mod backup;
pub mod cli;
pub mod db;
pub mod demo;
pub mod exports;
pub mod forms;
pub mod memory;
pub mod metrics;
pub mod rest;
pub mod router;
pub mod security;
pub mod seed;
pub mod sessions;
