//! `table_sessions`: one sitting at a table, from opening to closing; its token is the
//! guests' credential.

use sea_orm::entity::prelude::*;

use crate::domain::SessionStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "table_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub table_id: Uuid,
    /// `Some(table_id)` while OPEN; unique, so a table has at most one OPEN session.
    pub open_table_id: Option<Uuid>,
    /// `ts_…`, 144 random bits.
    pub token: String,
    pub status: SessionStatus,
    /// `None` when a guest opened it (QR self-service).
    pub opened_by: Option<Uuid>,
    pub opened_at: DateTimeUtc,
    /// The guest token stops working at this instant.
    pub expires_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<Uuid>,
    pub close_reason: Option<String>,
    /// Set when it was merged into another session (its orders moved there).
    pub merged_into: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::dining_table::Entity",
        from = "Column::TableId",
        to = "super::dining_table::Column::Id"
    )]
    Table,
}

/// A guest token is checked together with its table (`find_also_related`).
impl Related<super::dining_table::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Table.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
