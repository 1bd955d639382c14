//! `order_discounts`: the discounts standing on an order, on one line (`item_id`) or the
//! whole order. Totals are recomputed from them with `domain::bill`.

use sea_orm::entity::prelude::*;

use crate::domain::DiscountKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_discounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    /// `None`: on the whole order.
    pub item_id: Option<Uuid>,
    /// PERCENT: `value` in basis points; AMOUNT: in the smallest currency unit.
    pub kind: DiscountKind,
    pub value: i64,
    pub reason: String,
    pub created_by: Uuid,
    pub approved_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
