//! Storage: sea-orm entities, one file per table. Never exposed as API types.

pub mod outlet;
pub mod user;
