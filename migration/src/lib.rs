//! Kedai's schema history. Append-only: one file per change, each owning its identifiers
//! (never the app's entities), each valid on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_outlets_and_users;
mod m20261125_000002_create_tables_and_menu;
mod m20261125_000003_create_sessions_orders_events;
mod m20261125_000004_create_maintenance_state;
mod m20261125_000005_create_shifts_and_payments;
mod m20261203_000006_user_token_version;
mod m20261203_000007_retire_untyped_event_payloads;
mod m20261203_000008_item_voids_and_adjustments;
mod m20261203_000009_discounts_splits_and_table_moves;
mod m20261203_000010_printers_and_print_jobs;
mod m20261203_000011_print_job_retries;
mod m20261203_000012_audit_log;
mod m20261203_000013_pins_and_devices;
mod m20261204_000014_approvals_and_auto_lock;
mod m20261204_000015_guest_requests;
mod m20261204_000016_product_images;
mod m20261204_000017_outlet_language;
mod m20261204_000018_event_outbox;

pub struct Migrator;

/// Adds one column: SQLite alters one column per statement, so migrations add them one by one.
pub(crate) async fn add_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    mut column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_outlets_and_users::Migration),
            Box::new(m20261125_000002_create_tables_and_menu::Migration),
            Box::new(m20261125_000003_create_sessions_orders_events::Migration),
            Box::new(m20261125_000004_create_maintenance_state::Migration),
            Box::new(m20261125_000005_create_shifts_and_payments::Migration),
            Box::new(m20261203_000006_user_token_version::Migration),
            Box::new(m20261203_000007_retire_untyped_event_payloads::Migration),
            Box::new(m20261203_000008_item_voids_and_adjustments::Migration),
            Box::new(m20261203_000009_discounts_splits_and_table_moves::Migration),
            Box::new(m20261203_000010_printers_and_print_jobs::Migration),
            Box::new(m20261203_000011_print_job_retries::Migration),
            Box::new(m20261203_000012_audit_log::Migration),
            Box::new(m20261203_000013_pins_and_devices::Migration),
            Box::new(m20261204_000014_approvals_and_auto_lock::Migration),
            Box::new(m20261204_000015_guest_requests::Migration),
            Box::new(m20261204_000016_product_images::Migration),
            Box::new(m20261204_000017_outlet_language::Migration),
            Box::new(m20261204_000018_event_outbox::Migration),
        ]
    }
}
