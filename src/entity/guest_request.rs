//! `guest_requests`: a guest at a table asked for the waiter or the bill.

use sea_orm::entity::prelude::*;

use crate::domain::GuestRequestKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guest_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub outlet_id: Uuid,
    pub table_session_id: Uuid,
    pub table_id: Uuid,
    pub kind: GuestRequestKind,
    pub created_at: DateTimeUtc,
    /// Set when a staff member took it on; the cashier page stops ringing then.
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
