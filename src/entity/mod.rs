//! Storage: sea-orm entities, one file per table. Never exposed as API types.

pub mod approval;
pub mod audit_log;
pub mod cash_movement;
pub mod category;
pub mod device;
pub mod dining_table;
pub mod event;
pub mod guest_request;
pub mod idempotency_key;
pub mod maintenance_state;
pub mod modifier_group;
pub mod modifier_option;
pub mod order;
pub mod order_adjustment;
pub mod order_discount;
pub mod order_item;
pub mod order_status_change;
pub mod outlet;
pub mod payment;
pub mod pin_failure;
pub mod print_job;
pub mod printer;
pub mod product;
pub mod shift;
pub mod table_session;
pub mod user;
