//! `maintenance_state`: named counters the server keeps for itself.

use sea_orm::entity::prelude::*;

/// Events with ids up to this value have been pruned.
pub const EVENTS_PRUNED_THROUGH: &str = "events_pruned_through";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "maintenance_state")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub value: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
