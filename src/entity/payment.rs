//! `payments`: money received for an order, and its refund if any.

use sea_orm::entity::prelude::*;

use crate::domain::PaymentMethod;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub outlet_id: Uuid,
    /// The taker's shift (required for cash).
    pub shift_id: Option<Uuid>,
    pub method: PaymentMethod,
    /// What counts against the order.
    pub amount: i64,
    /// Cash handed over (≥ amount).
    pub tendered: Option<i64>,
    /// `tendered − amount`, given back.
    pub change_amount: i64,
    pub reference: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub refunded_at: Option<DateTimeUtc>,
    pub refunded_by: Option<Uuid>,
    pub refund_reason: Option<String>,
    /// The drawer a cash refund was paid out of.
    pub refund_shift_id: Option<Uuid>,
    /// Shared by the payments of one "pay the table" (`POST /table-sessions/{id}/payments`).
    pub batch_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
