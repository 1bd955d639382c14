//! `approvals`: a manager's PIN on a tablet, allowing one action above the caller's role on
//! one object, once, within minutes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// SHA-256 (hex) of the token handed out; the token itself is not kept.
    pub token_hash: String,
    /// `VOID_ITEM`, `DISCOUNT`, `REFUND` or `OPEN_DRAWER`.
    pub action: String,
    /// The order it is for; `None` for opening the drawer.
    pub order_id: Option<Uuid>,
    pub outlet_id: Uuid,
    /// The tablet it was given on, and who asked there: only they may use it.
    pub device_id: Uuid,
    pub requested_by: Uuid,
    pub approver_id: Uuid,
    pub approver_name: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Set when the action it allowed was committed.
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
