//! PostgreSQL only: `event_outbox`, where writers append their events without waiting for
//! each other. The relay moves committed rows into `events`, numbering them as it moves them,
//! so `events` ids still grow without gaps in the order clients replay. SQLite has one writer
//! at a time, so its events go straight into `events` and this is a no-op there.

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
                kind varchar(32) NOT NULL,
                outlet_id uuid NOT NULL,
                table_session_id uuid NULL,
                payload text NOT NULL,
                at timestamp with time zone NOT NULL
            )",
        )
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
