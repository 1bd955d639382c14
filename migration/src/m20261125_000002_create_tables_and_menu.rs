//! Dining tables (with their QR slugs), menu categories, products and modifier groups/options.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outlets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DiningTables {
    Table,
    Id,
    OutletId,
    Name,
    Capacity,
    QrSlug,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
    OutletId,
    Name,
    Sort,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    OutletId,
    CategoryId,
    Name,
    Description,
    Price,
    Available,
    Sort,
    Deleted,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ModifierGroups {
    Table,
    Id,
    ProductId,
    Name,
    MinSelect,
    MaxSelect,
    Sort,
}

#[derive(DeriveIden)]
enum ModifierOptions {
    Table,
    Id,
    GroupId,
    Name,
    PriceDelta,
    Available,
    Sort,
}

fn outlet_fk<T: IntoIden + 'static>(table: T, column: T, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Outlets::Table, Outlets::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DiningTables::Table)
                    .col(
                        ColumnDef::new(DiningTables::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(DiningTables::OutletId).uuid().not_null())
                    .col(
                        ColumnDef::new(DiningTables::Name)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DiningTables::Capacity)
                            .integer()
                            .not_null()
                            .default(4),
                    )
                    .col(
                        ColumnDef::new(DiningTables::QrSlug)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(DiningTables::Active)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(DiningTables::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DiningTables::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut outlet_fk(
                        DiningTables::Table,
                        DiningTables::OutletId,
                        "fk_dining_tables_outlet",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_dining_tables_outlet_name")
                    .table(DiningTables::Table)
                    .col(DiningTables::OutletId)
                    .col(DiningTables::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(
                        ColumnDef::new(Categories::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Categories::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Categories::Name).string_len(100).not_null())
                    .col(
                        ColumnDef::new(Categories::Sort)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Categories::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Categories::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut outlet_fk(
                        Categories::Table,
                        Categories::OutletId,
                        "fk_categories_outlet",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_categories_outlet_name")
                    .table(Categories::Table)
                    .col(Categories::OutletId)
                    .col(Categories::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(ColumnDef::new(Products::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Products::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Products::CategoryId).uuid().null())
                    .col(ColumnDef::new(Products::Name).string_len(100).not_null())
                    .col(
                        ColumnDef::new(Products::Description)
                            .string_len(500)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Products::Price).big_integer().not_null())
                    .col(
                        ColumnDef::new(Products::Available)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(Products::Sort)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    // Orders keep referring to a removed product, so removal is a flag.
                    .col(
                        ColumnDef::new(Products::Deleted)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Products::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Products::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(&mut outlet_fk(
                        Products::Table,
                        Products::OutletId,
                        "fk_products_outlet",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_products_category")
                            .from(Products::Table, Products::CategoryId)
                            .to(Categories::Table, Categories::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_products_outlet")
                    .table(Products::Table)
                    .col(Products::OutletId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ModifierGroups::Table)
                    .col(
                        ColumnDef::new(ModifierGroups::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ModifierGroups::ProductId).uuid().not_null())
                    .col(
                        ColumnDef::new(ModifierGroups::Name)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ModifierGroups::MinSelect)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(ModifierGroups::MaxSelect)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(
                        ColumnDef::new(ModifierGroups::Sort)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_modifier_groups_product")
                            .from(ModifierGroups::Table, ModifierGroups::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_modifier_groups_product")
                    .table(ModifierGroups::Table)
                    .col(ModifierGroups::ProductId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ModifierOptions::Table)
                    .col(
                        ColumnDef::new(ModifierOptions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(ModifierOptions::GroupId).uuid().not_null())
                    .col(
                        ColumnDef::new(ModifierOptions::Name)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ModifierOptions::PriceDelta)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(ModifierOptions::Available)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(
                        ColumnDef::new(ModifierOptions::Sort)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_modifier_options_group")
                            .from(ModifierOptions::Table, ModifierOptions::GroupId)
                            .to(ModifierGroups::Table, ModifierGroups::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_modifier_options_group")
                    .table(ModifierOptions::Table)
                    .col(ModifierOptions::GroupId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ModifierOptions::Table.into_iden(),
            ModifierGroups::Table.into_iden(),
            Products::Table.into_iden(),
            Categories::Table.into_iden(),
            DiningTables::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
