//! Black-box tests: the real app over HTTP. One binary, one file per capability.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod approvals;
mod audit;
mod auth;
mod binary;
mod browser;
mod connections;
mod corrections;
mod devices;
mod errors;
mod fake_printer;
mod faults;
mod guest_requests;
mod helpers;
mod i18n;
mod idempotency;
mod menu;
mod metrics;
mod money;
mod openapi;
mod orders;
mod outlets;
mod pages_admin;
mod pages_cashier;
mod pages_guest;
mod pages_i18n;
mod printer_transport;
mod printing;
mod product_images;
mod realtime;
mod roles;
mod sessions;
mod system;
mod tables;
mod text;
mod users;
