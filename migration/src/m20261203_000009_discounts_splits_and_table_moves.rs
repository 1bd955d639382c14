//! The rest of the floor corrections: discounts (`order_discounts`, each line's share in
//! `order_items.discount_amount`), the cashier's discount cap per outlet, the rates an order
//! was taken at (so a later correction recomputes it with those, not today's), which order a
//! split came from, which session a merged one went into, and the batch of payments that paid
//! a whole table at once.

use sea_orm_migration::prelude::*;

use crate::add_column as add;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outlets {
    Table,
    MaxCashierDiscountBp,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    ServiceChargeBp,
    TaxBp,
    SplitFrom,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    DiscountAmount,
}

#[derive(DeriveIden)]
enum TableSessions {
    Table,
    MergedInto,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    BatchId,
}

#[derive(DeriveIden)]
enum OrderDiscounts {
    Table,
    Id,
    OrderId,
    ItemId,
    Kind,
    Value,
    Reason,
    CreatedBy,
    ApprovedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        add(
            manager,
            Outlets::Table,
            ColumnDef::new(Outlets::MaxCashierDiscountBp)
                .integer()
                .not_null()
                .default(0)
                .to_owned(),
        )
        .await?;
        for column in [Orders::ServiceChargeBp, Orders::TaxBp] {
            add(
                manager,
                Orders::Table,
                ColumnDef::new(column)
                    .integer()
                    .not_null()
                    .default(0)
                    .to_owned(),
            )
            .await?;
        }
        add(
            manager,
            Orders::Table,
            ColumnDef::new(Orders::SplitFrom).uuid().null().to_owned(),
        )
        .await?;
        add(
            manager,
            OrderItems::Table,
            ColumnDef::new(OrderItems::DiscountAmount)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            TableSessions::Table,
            ColumnDef::new(TableSessions::MergedInto)
                .uuid()
                .null()
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Payments::Table,
            ColumnDef::new(Payments::BatchId).uuid().null().to_owned(),
        )
        .await?;

        // Orders taken before this change were computed with their outlet's rates; those are
        // the best record of them there is.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE orders SET \
                 service_charge_bp = (SELECT service_charge_bp FROM outlets WHERE outlets.id = orders.outlet_id), \
                 tax_bp = (SELECT tax_bp FROM outlets WHERE outlets.id = orders.outlet_id)",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderDiscounts::Table)
                    .col(
                        ColumnDef::new(OrderDiscounts::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OrderDiscounts::OrderId).uuid().not_null())
                    .col(ColumnDef::new(OrderDiscounts::ItemId).uuid().null())
                    .col(
                        ColumnDef::new(OrderDiscounts::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrderDiscounts::Value)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrderDiscounts::Reason)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(ColumnDef::new(OrderDiscounts::CreatedBy).uuid().not_null())
                    .col(ColumnDef::new(OrderDiscounts::ApprovedBy).uuid().null())
                    .col(
                        ColumnDef::new(OrderDiscounts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderDiscounts::Table, OrderDiscounts::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_discounts_order")
                    .table(OrderDiscounts::Table)
                    .col(OrderDiscounts::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payments_batch")
                    .table(Payments::Table)
                    .col(Payments::BatchId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_payments_batch")
                    .table(Payments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(OrderDiscounts::Table).to_owned())
            .await?;
        let drops: [(DynIden, DynIden); 7] = [
            (Payments::Table.into_iden(), Payments::BatchId.into_iden()),
            (
                TableSessions::Table.into_iden(),
                TableSessions::MergedInto.into_iden(),
            ),
            (
                OrderItems::Table.into_iden(),
                OrderItems::DiscountAmount.into_iden(),
            ),
            (Orders::Table.into_iden(), Orders::SplitFrom.into_iden()),
            (Orders::Table.into_iden(), Orders::TaxBp.into_iden()),
            (
                Orders::Table.into_iden(),
                Orders::ServiceChargeBp.into_iden(),
            ),
            (
                Outlets::Table.into_iden(),
                Outlets::MaxCashierDiscountBp.into_iden(),
            ),
        ];
        for (table, column) in drops {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
