//! Manager approvals given by PIN on a tablet (single use, short-lived, stored as a SHA-256 of
//! the token), the approver's name on audit rows, and how long a shared tablet stays unlocked.

use sea_orm_migration::prelude::*;

use crate::add_column as add;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Approvals {
    Table,
    Id,
    TokenHash,
    Action,
    OrderId,
    OutletId,
    DeviceId,
    RequestedBy,
    ApproverId,
    ApproverName,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Outlets {
    Table,
    AutoLockMinutes,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    ApprovedByName,
}

fn timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Approvals::Table)
                    .col(
                        ColumnDef::new(Approvals::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Approvals::TokenHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Approvals::Action).string_len(20).not_null())
                    .col(ColumnDef::new(Approvals::OrderId).uuid().null())
                    .col(ColumnDef::new(Approvals::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Approvals::DeviceId).uuid().not_null())
                    .col(ColumnDef::new(Approvals::RequestedBy).uuid().not_null())
                    .col(ColumnDef::new(Approvals::ApproverId).uuid().not_null())
                    .col(
                        ColumnDef::new(Approvals::ApproverName)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(timestamp(Approvals::CreatedAt))
                    .col(timestamp(Approvals::ExpiresAt))
                    .col(
                        ColumnDef::new(Approvals::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_approvals_token_hash")
                    .table(Approvals::Table)
                    .col(Approvals::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        add(
            manager,
            Outlets::Table,
            ColumnDef::new(Outlets::AutoLockMinutes)
                .integer()
                .not_null()
                .default(5)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            AuditLog::Table,
            ColumnDef::new(AuditLog::ApprovedByName)
                .string_len(100)
                .null()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditLog::Table)
                    .drop_column(AuditLog::ApprovedByName)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Outlets::Table)
                    .drop_column(Outlets::AutoLockMinutes)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Approvals::Table).to_owned())
            .await
    }
}
