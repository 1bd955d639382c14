//! `orders`: what a table or takeaway customer ordered, with server-computed totals.

use sea_orm::entity::prelude::*;

use crate::domain::{OrderSource, OrderStatus, PaymentStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub outlet_id: Uuid,
    /// `None` for takeaway.
    pub table_session_id: Option<Uuid>,
    /// `YYYY-MM-DD` in the outlet's time zone; `number` restarts at 1 each business day.
    pub business_date: String,
    pub number: i32,
    pub source: OrderSource,
    pub status: OrderStatus,
    pub note: String,
    pub subtotal: i64,
    /// Line and order discounts together.
    pub discount_amount: i64,
    pub service_charge_amount: i64,
    pub tax_amount: i64,
    pub total_amount: i64,
    pub paid_amount: i64,
    pub payment_status: PaymentStatus,
    /// The outlet's rates when the order was taken; corrections recompute with these.
    pub service_charge_bp: i32,
    pub tax_bp: i32,
    /// The order this one was split off (`POST /orders/{id}/split`).
    pub split_from: Option<Uuid>,
    /// Bumped on every change; status moves are conditional on it.
    pub version: i32,
    /// Staff member, or `None` for a guest order.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Unguessable name of its digital receipt (`/r/<token>`), given when it is fully paid.
    pub receipt_token: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
