//! `order_adjustments`: one row per correction of an order (a void or comp of an item so far),
//! with how much it took off the bill, why, and who.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_adjustments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub item_id: Option<Uuid>,
    /// `VOID` or `COMP`.
    pub kind: String,
    pub quantity: Option<i32>,
    /// What it took off the subtotal (before service and tax).
    pub amount: i64,
    pub reason: String,
    pub created_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
