//! Shared tablets and who did what: staff PINs, enrolled devices (and the PIN failures counted
//! per user on a device), single-use manager approvals, the outlet's auto-lock time, and the
//! append-only audit log.

use sea_orm_migration::prelude::*;

use crate::add_column as add;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PinHash,
}

#[derive(DeriveIden)]
enum Outlets {
    Table,
    Id,
    AutoLockMinutes,
}

#[derive(DeriveIden)]
enum Devices {
    Table,
    Id,
    OutletId,
    Name,
    SecretHash,
    FailedPins,
    LockedAt,
    CreatedBy,
    CreatedAt,
    LastSeenAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum PinFailures {
    Table,
    DeviceId,
    UserId,
    Failures,
    LockedUntil,
}

#[derive(DeriveIden)]
enum Approvals {
    Table,
    Id,
    TokenHash,
    OutletId,
    Action,
    ObjectId,
    ApproverId,
    DeviceId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    UsedBy,
}

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

fn maybe_timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            Users::Table,
            ColumnDef::new(Users::PinHash)
                .string_len(255)
                .null()
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

        manager
            .create_table(
                Table::create()
                    .table(Devices::Table)
                    .col(ColumnDef::new(Devices::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Devices::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Devices::Name).string_len(100).not_null())
                    // SHA-256 of the secret (hex): the secret is random, so a fast hash suffices.
                    .col(
                        ColumnDef::new(Devices::SecretHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Devices::FailedPins)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(maybe_timestamp(Devices::LockedAt))
                    .col(ColumnDef::new(Devices::CreatedBy).uuid().not_null())
                    .col(timestamp(Devices::CreatedAt))
                    .col(maybe_timestamp(Devices::LastSeenAt))
                    .col(maybe_timestamp(Devices::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Devices::Table, Devices::OutletId)
                            .to(Outlets::Table, Outlets::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_devices_secret_hash")
                    .table(Devices::Table)
                    .col(Devices::SecretHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PinFailures::Table)
                    .col(ColumnDef::new(PinFailures::DeviceId).uuid().not_null())
                    .col(ColumnDef::new(PinFailures::UserId).uuid().not_null())
                    .col(ColumnDef::new(PinFailures::Failures).integer().not_null())
                    .col(maybe_timestamp(PinFailures::LockedUntil))
                    .primary_key(
                        Index::create()
                            .col(PinFailures::DeviceId)
                            .col(PinFailures::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PinFailures::Table, PinFailures::DeviceId)
                            .to(Devices::Table, Devices::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PinFailures::Table, PinFailures::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;

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
                    .col(ColumnDef::new(Approvals::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Approvals::Action).string_len(20).not_null())
                    .col(ColumnDef::new(Approvals::ObjectId).uuid().null())
                    .col(ColumnDef::new(Approvals::ApproverId).uuid().not_null())
                    .col(ColumnDef::new(Approvals::DeviceId).uuid().null())
                    .col(timestamp(Approvals::CreatedAt))
                    .col(timestamp(Approvals::ExpiresAt))
                    .col(maybe_timestamp(Approvals::UsedAt))
                    .col(ColumnDef::new(Approvals::UsedBy).uuid().null())
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
        for table in [
            AuditLog::Table.into_iden(),
            Approvals::Table.into_iden(),
            PinFailures::Table.into_iden(),
            Devices::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Outlets::Table)
                    .drop_column(Outlets::AutoLockMinutes)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::PinHash)
                    .to_owned(),
            )
            .await
    }
}
