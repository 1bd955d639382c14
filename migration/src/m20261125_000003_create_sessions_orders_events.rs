//! Table sessions, orders with items and status history, per-day order counters, the event
//! outbox and idempotency keys.

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
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TableSessions {
    Table,
    Id,
    OutletId,
    TableId,
    /// Equals `table_id` while OPEN, NULL once closed: a unique index on it allows one OPEN
    /// session per table on SQLite and PostgreSQL alike.
    OpenTableId,
    Token,
    Status,
    OpenedBy,
    OpenedAt,
    ExpiresAt,
    ClosedAt,
    ClosedBy,
    CloseReason,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    OutletId,
    TableSessionId,
    BusinessDate,
    Number,
    Source,
    Status,
    Note,
    Subtotal,
    ServiceChargeAmount,
    TaxAmount,
    TotalAmount,
    PaidAmount,
    PaymentStatus,
    Version,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    Id,
    OrderId,
    ProductId,
    Name,
    UnitPrice,
    Quantity,
    Note,
    Modifiers,
    LineTotal,
}

#[derive(DeriveIden)]
enum OrderStatusChanges {
    Table,
    Id,
    OrderId,
    FromStatus,
    ToStatus,
    ChangedBy,
    Reason,
    At,
}

#[derive(DeriveIden)]
enum OrderCounters {
    Table,
    OutletId,
    BusinessDate,
    LastNumber,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    Kind,
    OutletId,
    TableSessionId,
    Payload,
    At,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Scope,
    Key,
    RequestHash,
    ResourceId,
    CreatedAt,
}

fn index(name: &str, table: impl IntoIden, columns: Vec<DynIden>) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TableSessions::Table)
                    .col(
                        ColumnDef::new(TableSessions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(TableSessions::OutletId).uuid().not_null())
                    .col(ColumnDef::new(TableSessions::TableId).uuid().not_null())
                    .col(
                        ColumnDef::new(TableSessions::OpenTableId)
                            .uuid()
                            .null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(TableSessions::Token)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(TableSessions::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(TableSessions::OpenedBy).uuid().null())
                    .col(
                        ColumnDef::new(TableSessions::OpenedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TableSessions::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TableSessions::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(TableSessions::ClosedBy).uuid().null())
                    .col(
                        ColumnDef::new(TableSessions::CloseReason)
                            .string_len(500)
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_table_sessions_outlet")
                            .from(TableSessions::Table, TableSessions::OutletId)
                            .to(Outlets::Table, Outlets::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_table_sessions_table")
                            .from(TableSessions::Table, TableSessions::TableId)
                            .to(DiningTables::Table, DiningTables::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_table_sessions_outlet",
                TableSessions::Table,
                vec![
                    TableSessions::OutletId.into_iden(),
                    TableSessions::Status.into_iden(),
                ],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .col(ColumnDef::new(Orders::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Orders::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Orders::TableSessionId).uuid().null())
                    // YYYY-MM-DD in the outlet's time zone.
                    .col(
                        ColumnDef::new(Orders::BusinessDate)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Orders::Number).integer().not_null())
                    .col(ColumnDef::new(Orders::Source).string_len(8).not_null())
                    .col(ColumnDef::new(Orders::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Orders::Note)
                            .string_len(500)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Orders::Subtotal).big_integer().not_null())
                    .col(
                        ColumnDef::new(Orders::ServiceChargeAmount)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Orders::TaxAmount).big_integer().not_null())
                    .col(ColumnDef::new(Orders::TotalAmount).big_integer().not_null())
                    .col(
                        ColumnDef::new(Orders::PaidAmount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Orders::PaymentStatus)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Orders::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .col(ColumnDef::new(Orders::CreatedBy).uuid().null())
                    .col(
                        ColumnDef::new(Orders::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Orders::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_orders_outlet")
                            .from(Orders::Table, Orders::OutletId)
                            .to(Outlets::Table, Outlets::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_orders_table_session")
                            .from(Orders::Table, Orders::TableSessionId)
                            .to(TableSessions::Table, TableSessions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        let mut number = index(
            "uq_orders_outlet_day_number",
            Orders::Table,
            vec![
                Orders::OutletId.into_iden(),
                Orders::BusinessDate.into_iden(),
                Orders::Number.into_iden(),
            ],
        );
        manager.create_index(number.unique().to_owned()).await?;
        manager
            .create_index(index(
                "idx_orders_outlet_created",
                Orders::Table,
                vec![Orders::OutletId.into_iden(), Orders::CreatedAt.into_iden()],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_orders_session",
                Orders::Table,
                vec![Orders::TableSessionId.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderItems::Table)
                    .col(
                        ColumnDef::new(OrderItems::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OrderItems::OrderId).uuid().not_null())
                    .col(ColumnDef::new(OrderItems::ProductId).uuid().not_null())
                    .col(ColumnDef::new(OrderItems::Name).string_len(100).not_null())
                    .col(
                        ColumnDef::new(OrderItems::UnitPrice)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(OrderItems::Quantity).integer().not_null())
                    .col(
                        ColumnDef::new(OrderItems::Note)
                            .string_len(500)
                            .not_null()
                            .default(""),
                    )
                    // JSON array of {group_id, group_name, option_id, option_name, price_delta}.
                    .col(ColumnDef::new(OrderItems::Modifiers).text().not_null())
                    .col(
                        ColumnDef::new(OrderItems::LineTotal)
                            .big_integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_items_order")
                            .from(OrderItems::Table, OrderItems::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_items_product")
                            .from(OrderItems::Table, OrderItems::ProductId)
                            .to(Products::Table, Products::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_order_items_order",
                OrderItems::Table,
                vec![OrderItems::OrderId.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderStatusChanges::Table)
                    .col(
                        ColumnDef::new(OrderStatusChanges::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(OrderStatusChanges::OrderId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrderStatusChanges::FromStatus)
                            .string_len(16)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OrderStatusChanges::ToStatus)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(OrderStatusChanges::ChangedBy).uuid().null())
                    .col(
                        ColumnDef::new(OrderStatusChanges::Reason)
                            .string_len(500)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OrderStatusChanges::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_status_changes_order")
                            .from(OrderStatusChanges::Table, OrderStatusChanges::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_order_status_changes_order",
                OrderStatusChanges::Table,
                vec![OrderStatusChanges::OrderId.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderCounters::Table)
                    .col(ColumnDef::new(OrderCounters::OutletId).uuid().not_null())
                    .col(
                        ColumnDef::new(OrderCounters::BusinessDate)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrderCounters::LastNumber)
                            .integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(OrderCounters::OutletId)
                            .col(OrderCounters::BusinessDate),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(
                        ColumnDef::new(Events::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Events::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Events::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Events::TableSessionId).uuid().null())
                    .col(ColumnDef::new(Events::Payload).text().not_null())
                    .col(
                        ColumnDef::new(Events::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_events_outlet",
                Events::Table,
                vec![Events::OutletId.into_iden(), Events::Id.into_iden()],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(
                        ColumnDef::new(IdempotencyKeys::Scope)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::Key)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::RequestHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::ResourceId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Scope)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_idempotency_keys_created",
                IdempotencyKeys::Table,
                vec![IdempotencyKeys::CreatedAt.into_iden()],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            Events::Table.into_iden(),
            OrderCounters::Table.into_iden(),
            OrderStatusChanges::Table.into_iden(),
            OrderItems::Table.into_iden(),
            Orders::Table.into_iden(),
            TableSessions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
