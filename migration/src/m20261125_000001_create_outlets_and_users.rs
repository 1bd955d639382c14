//! Outlets (a restaurant location) and the staff accounts that work there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outlets {
    Table,
    Id,
    Name,
    Address,
    Currency,
    ServiceChargeBp,
    TaxBp,
    Timezone,
    QrSelfService,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    OutletId,
    Active,
    TokensValidAfter,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outlets::Table)
                    .col(ColumnDef::new(Outlets::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Outlets::Name).string_len(100).not_null())
                    .col(
                        ColumnDef::new(Outlets::Address)
                            .string_len(500)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Outlets::Currency)
                            .string_len(3)
                            .not_null()
                            .default("IDR"),
                    )
                    .col(
                        ColumnDef::new(Outlets::ServiceChargeBp)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Outlets::TaxBp)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Outlets::Timezone)
                            .string_len(64)
                            .not_null()
                            .default("Asia/Jakarta"),
                    )
                    .col(
                        ColumnDef::new(Outlets::QrSelfService)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Outlets::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Outlets::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                    // Stored lower-case, so the unique index makes usernames case-insensitive.
                    .col(
                        ColumnDef::new(Users::Username)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Users::PasswordHash)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Users::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Users::OutletId).uuid().null())
                    .col(
                        ColumnDef::new(Users::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    // Tokens issued before this instant are refused (password change).
                    .col(
                        ColumnDef::new(Users::TokensValidAfter)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Users::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Users::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_outlet")
                            .from(Users::Table, Users::OutletId)
                            .to(Outlets::Table, Outlets::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_users_outlet")
                    .table(Users::Table)
                    .col(Users::OutletId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Outlets::Table).to_owned())
            .await
    }
}
