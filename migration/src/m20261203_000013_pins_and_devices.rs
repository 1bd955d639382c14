//! Shared tablets: a staff PIN per account, the tablets enrolled at an outlet (their secret
//! stored as a SHA-256: it is random, so a fast hash suffices), and wrong PINs counted per
//! person on a device.

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
        manager
            .create_table(
                Table::create()
                    .table(Devices::Table)
                    .col(ColumnDef::new(Devices::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Devices::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Devices::Name).string_len(100).not_null())
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
                    .col(
                        ColumnDef::new(Devices::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
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
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PinFailures::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Devices::Table).to_owned())
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
