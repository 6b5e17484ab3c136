//! Every integration test of the server, in one binary: the real migrations on SQLite (and on
//! PostgreSQL when `TEST_POSTGRES_URL` is set), the real router in-process, and the built
//! `hindsight` binary. One binary links once, where one per file linked the whole app each time.

#[macro_use]
mod common;

mod accounts;
mod action_items;
mod action_items_api;
mod alerts;
mod analytics;
mod api;
mod archive;
mod catalog;
mod cli;
mod demo;
mod incident_export;
mod incident_import;
mod incidents;
mod metrics;
mod openapi;
mod postmortems;
mod reviews;
mod router;
mod search;
mod seed;
