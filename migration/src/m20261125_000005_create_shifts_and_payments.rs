//! Cashier shifts, payments (with refunds) and drawer pay-ins/pay-outs.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outlets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Shifts {
    Table,
    Id,
    OutletId,
    UserId,
    /// Equals `user_id` while OPEN, NULL once closed: unique, so one OPEN shift per user.
    OpenUserId,
    Status,
    StartCash,
    EndCash,
    ExpectedCash,
    CashDifference,
    Note,
    OpenedBy,
    OpenedAt,
    ClosedBy,
    ClosedAt,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    OrderId,
    OutletId,
    ShiftId,
    Method,
    Amount,
    Tendered,
    ChangeAmount,
    Reference,
    CreatedBy,
    CreatedAt,
    RefundedAt,
    RefundedBy,
    RefundReason,
    RefundShiftId,
}

#[derive(DeriveIden)]
enum CashMovements {
    Table,
    Id,
    ShiftId,
    Kind,
    Amount,
    Reason,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Shifts::Table)
                    .col(ColumnDef::new(Shifts::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Shifts::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Shifts::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(Shifts::OpenUserId)
                            .uuid()
                            .null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Shifts::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Shifts::StartCash).big_integer().not_null())
                    .col(ColumnDef::new(Shifts::EndCash).big_integer().null())
                    .col(ColumnDef::new(Shifts::ExpectedCash).big_integer().null())
                    .col(ColumnDef::new(Shifts::CashDifference).big_integer().null())
                    .col(ColumnDef::new(Shifts::Note).string_len(500).null())
                    .col(ColumnDef::new(Shifts::OpenedBy).uuid().not_null())
                    .col(
                        ColumnDef::new(Shifts::OpenedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Shifts::ClosedBy).uuid().null())
                    .col(
                        ColumnDef::new(Shifts::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shifts_outlet")
                            .from(Shifts::Table, Shifts::OutletId)
                            .to(Outlets::Table, Outlets::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shifts_user")
                            .from(Shifts::Table, Shifts::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shifts_outlet")
                    .table(Shifts::Table)
                    .col(Shifts::OutletId)
                    .col(Shifts::OpenedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Payments::Table)
                    .col(ColumnDef::new(Payments::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Payments::OrderId).uuid().not_null())
                    .col(ColumnDef::new(Payments::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Payments::ShiftId).uuid().null())
                    .col(ColumnDef::new(Payments::Method).string_len(16).not_null())
                    .col(ColumnDef::new(Payments::Amount).big_integer().not_null())
                    .col(ColumnDef::new(Payments::Tendered).big_integer().null())
                    .col(
                        ColumnDef::new(Payments::ChangeAmount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Payments::Reference).string_len(100).null())
                    .col(ColumnDef::new(Payments::CreatedBy).uuid().not_null())
                    .col(
                        ColumnDef::new(Payments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Payments::RefundedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Payments::RefundedBy).uuid().null())
                    .col(
                        ColumnDef::new(Payments::RefundReason)
                            .string_len(500)
                            .null(),
                    )
                    .col(ColumnDef::new(Payments::RefundShiftId).uuid().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_payments_order")
                            .from(Payments::Table, Payments::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_payments_shift")
                            .from(Payments::Table, Payments::ShiftId)
                            .to(Shifts::Table, Shifts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_payments_refund_shift")
                            .from(Payments::Table, Payments::RefundShiftId)
                            .to(Shifts::Table, Shifts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_payments_order", Payments::OrderId),
            ("idx_payments_shift", Payments::ShiftId),
            ("idx_payments_refund_shift", Payments::RefundShiftId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Payments::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CashMovements::Table)
                    .col(
                        ColumnDef::new(CashMovements::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(CashMovements::ShiftId).uuid().not_null())
                    .col(
                        ColumnDef::new(CashMovements::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CashMovements::Amount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CashMovements::Reason)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CashMovements::CreatedBy).uuid().not_null())
                    .col(
                        ColumnDef::new(CashMovements::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cash_movements_shift")
                            .from(CashMovements::Table, CashMovements::ShiftId)
                            .to(Shifts::Table, Shifts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cash_movements_shift")
                    .table(CashMovements::Table)
                    .col(CashMovements::ShiftId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CashMovements::Table.into_iden(),
            Payments::Table.into_iden(),
            Shifts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
