//! Corrections on the floor: how much of each line was voided or comped, the order's discount
//! total, and `order_adjustments`, one row per correction (what, how much, why, by whom).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    VoidedQuantity,
    CompedQuantity,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    DiscountAmount,
}

#[derive(DeriveIden)]
enum OrderAdjustments {
    Table,
    Id,
    OrderId,
    ItemId,
    Kind,
    Quantity,
    Amount,
    Reason,
    CreatedBy,
    ApprovedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [OrderItems::VoidedQuantity, OrderItems::CompedQuantity] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OrderItems::Table)
                        .add_column(ColumnDef::new(column).integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(
                        ColumnDef::new(Orders::DiscountAmount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderAdjustments::Table)
                    .col(
                        ColumnDef::new(OrderAdjustments::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OrderAdjustments::OrderId).uuid().not_null())
                    .col(ColumnDef::new(OrderAdjustments::ItemId).uuid().null())
                    .col(
                        ColumnDef::new(OrderAdjustments::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(OrderAdjustments::Quantity).integer().null())
                    .col(
                        ColumnDef::new(OrderAdjustments::Amount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrderAdjustments::Reason)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrderAdjustments::CreatedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(OrderAdjustments::ApprovedBy).uuid().null())
                    .col(
                        ColumnDef::new(OrderAdjustments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderAdjustments::Table, OrderAdjustments::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_adjustments_order")
                    .table(OrderAdjustments::Table)
                    .col(OrderAdjustments::OrderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrderAdjustments::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .drop_column(Orders::DiscountAmount)
                    .to_owned(),
            )
            .await?;
        for column in [OrderItems::VoidedQuantity, OrderItems::CompedQuantity] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OrderItems::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
