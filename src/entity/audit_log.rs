//! `audit_log`: who did what, append-only. The code has no update or delete of it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// UUIDv7: the log reads in time order by id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub outlet_id: Option<Uuid>,
    /// `None` for a failed sign-in with a name that is no account.
    pub actor_id: Option<Uuid>,
    /// The username as it was (or as typed, for a failed sign-in).
    pub actor_name: String,
    pub approved_by: Option<Uuid>,
    /// The approver's username as it was.
    pub approved_by_name: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// A JSON object: what changed, amounts, reasons. Never a password, PIN or token.
    pub details: String,
    pub client_address: Option<String>,
    pub device_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
