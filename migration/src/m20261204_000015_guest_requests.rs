//! Guests calling from their table: "call the waiter" and "the bill, please", until staff
//! acknowledge them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum GuestRequests {
    Table,
    Id,
    OutletId,
    TableSessionId,
    TableId,
    Kind,
    CreatedAt,
    AcknowledgedAt,
    AcknowledgedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GuestRequests::Table)
                    .col(
                        ColumnDef::new(GuestRequests::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(GuestRequests::OutletId).uuid().not_null())
                    .col(
                        ColumnDef::new(GuestRequests::TableSessionId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(GuestRequests::TableId).uuid().not_null())
                    .col(
                        ColumnDef::new(GuestRequests::Kind)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GuestRequests::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GuestRequests::AcknowledgedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(GuestRequests::AcknowledgedBy).uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_guest_requests_session")
                    .table(GuestRequests::Table)
                    .col(GuestRequests::TableSessionId)
                    .col(GuestRequests::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_guest_requests_outlet")
                    .table(GuestRequests::Table)
                    .col(GuestRequests::OutletId)
                    .col(GuestRequests::AcknowledgedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(GuestRequests::Table).to_owned())
            .await
    }
}
