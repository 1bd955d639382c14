//! Event payloads now have one documented type per frame `type` (an order's is the full
//! order as `GET /orders/{id}` shows it). Events written before carry older shapes, so they
//! are retired as if pruned: a client resuming from before this upgrade gets
//! `RESYNC_REQUIRED` and reloads, instead of frames it cannot read. Ids keep increasing
//! (AUTOINCREMENT on SQLite, a sequence on PostgreSQL).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Only when there are events (else the mark would go back to 0). The `WHERE` also lets
        // SQLite parse the upsert that follows a SELECT.
        db.execute_unprepared(
            "INSERT INTO maintenance_state (name, value) \
             SELECT 'events_pruned_through', (SELECT MAX(id) FROM events) \
             WHERE EXISTS (SELECT 1 FROM events) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .await?;
        db.execute_unprepared("DELETE FROM events").await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Nothing to restore: retired events are gone, as pruned ones are.
        Ok(())
    }
}
