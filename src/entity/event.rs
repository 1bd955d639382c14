//! `events`: the transactional outbox. Written in the same transaction as the change it
//! describes; delivered to WebSocket clients after commit.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `NEW_ORDER`, `ORDER_STATUS_CHANGED`, …
    pub kind: String,
    pub outlet_id: Uuid,
    pub table_session_id: Option<Uuid>,
    /// JSON object.
    pub payload: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
