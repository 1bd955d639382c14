//! `order_adjustments`: one row per correction of an order (a void, comp, discount, split or
//! move), with how much it took off the bill, why, and who.

use sea_orm::entity::prelude::*;

use crate::domain::AdjustmentKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_adjustments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub item_id: Option<Uuid>,
    pub kind: AdjustmentKind,
    pub quantity: Option<i32>,
    /// What it took off the subtotal before service and tax (negative: put back on).
    pub amount: i64,
    pub reason: String,
    pub created_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
