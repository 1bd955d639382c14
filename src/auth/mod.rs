//! Who is calling: passwords, staff tokens, the `Principal` extractor and role checks.

pub mod jwt;
pub mod password;
pub mod principal;
pub mod rate_limit;
pub mod role;

pub use principal::{Auth, Guest, Principal, Staff};
pub use role::Role;
