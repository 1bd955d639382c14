//! PostgreSQL only: `event_outbox`, where writers append their events without waiting for
//! each other. Each row records the writing transaction (`txid`); the relay moves rows into
//! `events` once every transaction that started before theirs has finished, numbering them in
//! `(txid, id)` order, so `events` ids still grow without gaps in the order clients replay.
//! SQLite has one writer at a time, so its events go straight into `events` and this is a
//! no-op there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE event_outbox (
                id bigserial PRIMARY KEY,
                txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                kind varchar(32) NOT NULL,
                outlet_id uuid NOT NULL,
                table_session_id uuid NULL,
                payload text NOT NULL,
                at timestamp with time zone NOT NULL
            )",
        )
        .await?;
        db.execute_unprepared("CREATE INDEX idx_event_outbox_txid ON event_outbox (txid, id)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE event_outbox")
            .await?;
        Ok(())
    }
}
