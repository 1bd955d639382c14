//! Dish photos, stored in the database (so backups and every instance have them): the photo
//! re-encoded at most 1024 px and a 256 px thumbnail; `products.image_etag` says a product has
//! one and which.

use sea_orm_migration::prelude::*;

use crate::add_column as add;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProductImages {
    Table,
    ProductId,
    Etag,
    Full,
    Thumb,
    Width,
    Height,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    ImageEtag,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProductImages::Table)
                    .col(
                        ColumnDef::new(ProductImages::ProductId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ProductImages::Etag)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ProductImages::Full).blob().not_null())
                    .col(ColumnDef::new(ProductImages::Thumb).blob().not_null())
                    .col(ColumnDef::new(ProductImages::Width).integer().not_null())
                    .col(ColumnDef::new(ProductImages::Height).integer().not_null())
                    .col(
                        ColumnDef::new(ProductImages::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProductImages::Table, ProductImages::ProductId)
                            .to(Products::Table, Products::Id),
                    )
                    .to_owned(),
            )
            .await?;
        add(
            manager,
            Products::Table,
            ColumnDef::new(Products::ImageEtag)
                .string_len(64)
                .null()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .drop_column(Products::ImageEtag)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ProductImages::Table).to_owned())
            .await
    }
}
