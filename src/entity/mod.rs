//! Storage: sea-orm entities, one file per table. Never exposed as API types.

pub mod category;
pub mod dining_table;
pub mod modifier_group;
pub mod modifier_option;
pub mod outlet;
pub mod product;
pub mod user;
