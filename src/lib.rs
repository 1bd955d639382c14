//! Kedai: a restaurant point-of-sale server.
//!
//! Layers: `api` (HTTP, poem-openapi) → `service` (rules and transactions) → `entity` (storage).
//! Shared plumbing — configuration, errors, auth, database setup — stands beside them.

#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod entity;
pub mod error;
pub mod files;
pub mod memory;
pub mod metrics;
pub mod middleware;
pub mod printing;
pub mod qr;
pub mod realtime;
pub mod server;
pub mod service;
pub mod startup;
pub mod state;
pub mod web;

pub use config::Config;
pub use error::AppError;
