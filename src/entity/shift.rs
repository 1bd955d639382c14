//! `shifts`: a cashier's drawer from opening count to closing count.

use sea_orm::entity::prelude::*;

use crate::domain::ShiftStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shifts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub outlet_id: Uuid,
    /// Whose drawer it is.
    pub user_id: Uuid,
    /// `Some(user_id)` while OPEN; unique, so a user has at most one OPEN shift.
    pub open_user_id: Option<Uuid>,
    pub status: ShiftStatus,
    pub start_cash: i64,
    /// Counted at close.
    pub end_cash: Option<i64>,
    pub expected_cash: Option<i64>,
    /// `end_cash − expected_cash`.
    pub cash_difference: Option<i64>,
    pub note: Option<String>,
    pub opened_by: Uuid,
    pub opened_at: DateTimeUtc,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
