//! Paper: the outlet's network printers, the durable queue of print jobs (written in the
//! transaction of whatever caused them), a kitchen station per category, the outlet's receipt
//! settings, and each order's unguessable digital-receipt token.

use sea_orm_migration::prelude::*;

use crate::add_column as add;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outlets {
    Table,
    Id,
    AutoPrintReceipt,
    ReceiptFooter,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Station,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    ReceiptToken,
}

#[derive(DeriveIden)]
enum Printers {
    Table,
    Id,
    OutletId,
    Name,
    Kind,
    Address,
    PaperWidthMm,
    CategoryIds,
    Copies,
    Active,
    Status,
    StatusAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PrintJobs {
    Table,
    Id,
    OutletId,
    PrinterId,
    Kind,
    Status,
    OrderId,
    TableSessionId,
    Payload,
    Reprint,
    Attempts,
    LastError,
    NextAttemptAt,
    ClaimedUntil,
    CreatedAt,
    PrintedAt,
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
        // SQLite alters one column per statement.
        add(
            manager,
            Outlets::Table,
            ColumnDef::new(Outlets::AutoPrintReceipt)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Outlets::Table,
            ColumnDef::new(Outlets::ReceiptFooter)
                .string_len(500)
                .not_null()
                .default("")
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Categories::Table,
            ColumnDef::new(Categories::Station)
                .string_len(60)
                .null()
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Orders::Table,
            ColumnDef::new(Orders::ReceiptToken)
                .string_len(64)
                .null()
                .to_owned(),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_receipt_token")
                    .table(Orders::Table)
                    .col(Orders::ReceiptToken)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Printers::Table)
                    .col(ColumnDef::new(Printers::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Printers::OutletId).uuid().not_null())
                    .col(ColumnDef::new(Printers::Name).string_len(100).not_null())
                    .col(ColumnDef::new(Printers::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Printers::Address).string_len(260).not_null())
                    .col(ColumnDef::new(Printers::PaperWidthMm).integer().not_null())
                    // A JSON array of category ids; empty = every category.
                    .col(ColumnDef::new(Printers::CategoryIds).text().not_null())
                    .col(ColumnDef::new(Printers::Copies).integer().not_null())
                    .col(ColumnDef::new(Printers::Active).boolean().not_null())
                    .col(ColumnDef::new(Printers::Status).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Printers::StatusAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(timestamp(Printers::CreatedAt))
                    .col(timestamp(Printers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Printers::Table, Printers::OutletId)
                            .to(Outlets::Table, Outlets::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_printers_outlet_name")
                    .table(Printers::Table)
                    .col(Printers::OutletId)
                    .col(Printers::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PrintJobs::Table)
                    .col(
                        ColumnDef::new(PrintJobs::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PrintJobs::OutletId).uuid().not_null())
                    .col(ColumnDef::new(PrintJobs::PrinterId).uuid().not_null())
                    .col(ColumnDef::new(PrintJobs::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(PrintJobs::Status).string_len(16).not_null())
                    .col(ColumnDef::new(PrintJobs::OrderId).uuid().null())
                    .col(ColumnDef::new(PrintJobs::TableSessionId).uuid().null())
                    .col(ColumnDef::new(PrintJobs::Payload).binary().not_null())
                    .col(ColumnDef::new(PrintJobs::Reprint).boolean().not_null())
                    .col(ColumnDef::new(PrintJobs::Attempts).integer().not_null())
                    .col(ColumnDef::new(PrintJobs::LastError).string_len(300).null())
                    .col(timestamp(PrintJobs::NextAttemptAt))
                    .col(
                        ColumnDef::new(PrintJobs::ClaimedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(timestamp(PrintJobs::CreatedAt))
                    .col(
                        ColumnDef::new(PrintJobs::PrintedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PrintJobs::Table, PrintJobs::PrinterId)
                            .to(Printers::Table, Printers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker's question: each printer's oldest unfinished job.
        manager
            .create_index(
                Index::create()
                    .name("idx_print_jobs_printer_status")
                    .table(PrintJobs::Table)
                    .col(PrintJobs::Status)
                    .col(PrintJobs::PrinterId)
                    .col(PrintJobs::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_print_jobs_order")
                    .table(PrintJobs::Table)
                    .col(PrintJobs::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_print_jobs_outlet_created")
                    .table(PrintJobs::Table)
                    .col(PrintJobs::OutletId)
                    .col(PrintJobs::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PrintJobs::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Printers::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_orders_receipt_token")
                    .table(Orders::Table)
                    .to_owned(),
            )
            .await?;
        let drops: [(DynIden, DynIden); 4] = [
            (Orders::Table.into_iden(), Orders::ReceiptToken.into_iden()),
            (
                Categories::Table.into_iden(),
                Categories::Station.into_iden(),
            ),
            (
                Outlets::Table.into_iden(),
                Outlets::ReceiptFooter.into_iden(),
            ),
            (
                Outlets::Table.into_iden(),
                Outlets::AutoPrintReceipt.into_iden(),
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
