//! The language an outlet prints its tickets, bills and receipts in, and the pages' fallback
//! for browsers that speak neither of Kedai's languages: `id` (Bahasa Indonesia) or `en`.

use sea_orm_migration::prelude::*;

use crate::add_column as add;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outlets {
    Table,
    Language,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            Outlets::Table,
            ColumnDef::new(Outlets::Language)
                .string_len(8)
                .not_null()
                .default("id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Outlets::Table)
                    .drop_column(Outlets::Language)
                    .to_owned(),
            )
            .await
    }
}
