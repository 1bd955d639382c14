//! The audit log: who did what, append-only.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    OutletId,
    ActorId,
    ActorName,
    ApprovedBy,
    Action,
    ObjectType,
    ObjectId,
    Details,
    ClientAddress,
    DeviceId,
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
                    .table(AuditLog::Table)
                    // UUIDv7: the log reads in time order by id.
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    .col(timestamp(AuditLog::At))
                    .col(ColumnDef::new(AuditLog::OutletId).uuid().null())
                    // `None` for a failed sign-in by a name that is no account.
                    .col(ColumnDef::new(AuditLog::ActorId).uuid().null())
                    .col(
                        ColumnDef::new(AuditLog::ActorName)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::ApprovedBy).uuid().null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(40).not_null())
                    .col(ColumnDef::new(AuditLog::ObjectType).string_len(40).null())
                    .col(ColumnDef::new(AuditLog::ObjectId).string_len(64).null())
                    .col(ColumnDef::new(AuditLog::Details).text().not_null())
                    .col(
                        ColumnDef::new(AuditLog::ClientAddress)
                            .string_len(64)
                            .null(),
                    )
                    .col(ColumnDef::new(AuditLog::DeviceId).uuid().null())
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_log_outlet", AuditLog::OutletId),
            ("idx_audit_log_action", AuditLog::Action),
            ("idx_audit_log_actor", AuditLog::ActorId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .col(AuditLog::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}
