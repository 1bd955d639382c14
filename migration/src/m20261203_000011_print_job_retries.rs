//! When a failed print job was last put back in the queue: its 15-minute retry window starts
//! there instead of at its creation.

use sea_orm_migration::prelude::*;

use crate::add_column as add;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PrintJobs {
    Table,
    RetriedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            PrintJobs::Table,
            ColumnDef::new(PrintJobs::RetriedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PrintJobs::Table)
                    .drop_column(PrintJobs::RetriedAt)
                    .to_owned(),
            )
            .await
    }
}
