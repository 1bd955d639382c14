//! Who is calling: passwords, staff tokens, the `Principal` extractor and the permission table.

pub mod jwt;
pub mod password;
pub mod permissions;
pub mod principal;
pub mod rate_limit;
pub mod role;

pub use permissions::{Action, Who};
pub use principal::{Auth, Guest, Principal, Staff};
pub use role::Role;
