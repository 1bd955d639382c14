//! `printers`: an outlet's network thermal printers (ESC/POS over raw TCP).

use sea_orm::entity::prelude::*;

use crate::domain::PrinterKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "printers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub name: String,
    pub kind: PrinterKind,
    /// `host:port`, the port always written out.
    pub address: String,
    /// 58 (32 columns) or 80 (48 columns).
    pub paper_width_mm: i32,
    /// A JSON array of category ids a KITCHEN printer prints; empty = all.
    pub category_ids: String,
    pub copies: i32,
    pub active: bool,
    /// What the printer last said: OK, OFFLINE, PAPER_OUT, COVER_OPEN, UNREACHABLE or UNKNOWN.
    pub status: String,
    pub status_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::outlet::Entity",
        from = "Column::OutletId",
        to = "super::outlet::Column::Id"
    )]
    Outlet,
}

impl Related<super::outlet::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Outlet.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The categories this printer prints (empty = all); a malformed list reads as all.
    pub fn categories(&self) -> Vec<Uuid> {
        serde_json::from_str(&self.category_ids).unwrap_or_default()
    }
}
