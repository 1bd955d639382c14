//! `order_items`: one line of an order, with the name and prices as they were when ordered.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub product_id: Uuid,
    pub name: String,
    /// Product price plus chosen price deltas, at order time.
    pub unit_price: i64,
    pub quantity: i32,
    pub note: String,
    /// JSON array of chosen modifiers (see `service::orders::ChosenModifier`).
    pub modifiers: String,
    /// `unit_price × (quantity − voided − comped)`: what the line charges.
    pub line_total: i64,
    /// Taken off the bill: never made.
    pub voided_quantity: i32,
    /// Made and given away: on the ticket, not on the bill.
    pub comped_quantity: i32,
    /// This line's share of the order's discounts (line ones, and its part of order ones).
    pub discount_amount: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
